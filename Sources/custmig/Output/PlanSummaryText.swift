import CustmigCore

/// The one-screen summary of a dry run.
enum PlanSummaryText {
    static func render(_ summary: PlanSummary, workspace: String) -> String {
        var lines: [String] = []
        if summary.outcome == "unchanged" {
            lines.append(
                "plan \(summary.plan): the same plan as before (same inputs, target unchanged); "
                    + (summary.approvedBy.map { "approval by \($0) kept" } ?? "not approved yet"))
        } else {
            lines.append(
                "plan \(summary.plan) against \(summary.target) (map run \(summary.mapRun)"
                    + (summary.duplicatesRun.map { ", duplicates run \($0)" } ?? "") + "):")
            if let unused = summary.unusedNumbers {
                let numbers =
                    unused.count == 1
                    ? "number \(unused.lowerBound) was" : "numbers \(unused.lowerBound)-\(unused.upperBound) were"
                lines.append(
                    "  (plan \(numbers) taken by dry runs that found the same plan as before or did not finish; no plan has \(unused.count == 1 ? "it" : "them"))"
                )
            }
        }
        if let unfinished = summary.unfinishedDuplicatesRun {
            lines.append(
                "  warning: duplicates run \(unfinished) for map run \(summary.mapRun) was stopped before it finished; "
                    + (summary.duplicatesRun.map { "this plan uses the merges of duplicates run \($0), not its" }
                        ?? "this plan merges no duplicates")
                    + ". Run "
                    + SuggestedCommand.text("duplicates", workspace: workspace) + " again, then dry-run.")
        }
        for action in PlanAction.allCases {
            var line =
                "  " + action.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                + String(summary.counts[action.rawValue] ?? 0).leftPadded(9)
            if let previous = summary.previousCounts {
                let delta = (summary.counts[action.rawValue] ?? 0) - (previous[action.rawValue] ?? 0)
                if delta != 0 { line += "  (\(delta > 0 ? "+" : "")\(delta) vs plan \(summary.supersedes ?? 0))" }
            }
            lines.append(line)
        }
        if summary.keptTargetChanges > 0 {
            lines.append("  \(summary.keptTargetChanges) fields changed in the target since the last load are kept")
        }
        if summary.rehearsed == false {
            lines.append(
                "  not rehearsed on the target (it cannot replay and roll back): checked against its code lists only")
        }
        if let notLoaded = summary.notLoaded, !notLoaded.isEmpty {
            let fields = notLoaded.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) (\($0.value))" }
            lines.append(
                "  not loaded (the target has no place for them; customers with a value): "
                    + fields.joined(separator: ", "))
        }
        if summary.refusedInRehearsal > 0 {
            lines.append(
                "  \(summary.refusedInRehearsal) customers refused by the target in the replay (listed as rejects)")
        }
        lines.append("  \(summary.batches) batches of up to \(summary.batchSize); numbering \(summary.numbering)")
        if let old = summary.supersedes, summary.outcome != "unchanged" {
            lines.append("supersedes plan \(old): \(summary.actionChangeCount) customers have another action")
            for change in summary.actionChanges.prefix(10) { lines.append("  \(change)") }
        }
        lines.append("hash \(summary.contentHash)")
        for report in summary.reports { lines.append("report: \(report)") }
        if summary.outcome != "unchanged" || summary.approvedBy == nil {
            lines.append(
                "approve: " + SuggestedCommand.text("approve \(summary.plan) --by \"NAME\"", workspace: workspace))
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
