import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what ran in a workspace, its counts, and what a rerun would resume.",
            discussion: HelpText.flowing(
                """
                Reads the ledger only (no lock needed). A run shown as "interrupted" resumes from its last
                checkpoint when its command is run again.

                Examples:
                  custmig status
                  custmig status --workspace w --json
                """))

        @OptionGroup var workspace: WorkspaceOptions

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            try runReportingErrors {
                let space = try workspace.open(command: "custmig status", writer: false)
                let status = try WorkspaceStatus.read(space)
                if json {
                    try Terminal.json(status)
                    return
                }
                Terminal.out(
                    "workspace \(status.workspace): \(status.runs.count) run\(status.runs.count == 1 ? "" : "s")")
                if let holder = status.inProgress { Terminal.out("in progress: \(holder)") }
                for run in status.runs {
                    let state =
                        run.status == "done"
                        ? "done"
                        : status.inProgress != nil && run.id == status.runs.last?.id
                            ? "running now (see in progress above)" : "interrupted — rerun its command to resume"
                    var head = "run \(run.id) \(run.stage)"
                    if let mapping = run.mapping { head += " \(mapping) v\(run.mappingVersion ?? 0)" }
                    if let scope = run.scope { head += " (\(scope))" }
                    Terminal.out("\(head): \(state)")
                    Terminal.out("  command: \(run.command)")
                    for input in run.inputs {
                        var line = "  \(input.path): \(input.recordsCommitted) records committed"
                        if input.done {
                            line += ", done"
                        } else if let record = input.resumesAtRecord {
                            line +=
                                "; a rerun continues at record \(record)"
                                + (input.resumesAtLine.map { " (line \($0))" } ?? "")
                        } else {
                            line += "; a rerun starts it from the beginning"
                        }
                        Terminal.out(line)
                    }
                    let counts = run.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                        separator: ", ")
                    Terminal.out("  \(counts)")
                }
                for plan in status.plans {
                    Terminal.out(
                        "plan \(plan.id) (\(plan.status)) against \(plan.target), map run \(plan.mapRun), hash \(plan.contentHash.prefix(16))…: "
                            + (plan.approvedBy.map { "approved by \($0)" } ?? "not approved"))
                    let counts = PlanAction.allCases.compactMap { action in
                        plan.counts[action.rawValue].map { "\(action.rawValue) \($0)" }
                    }
                    Terminal.out("  " + counts.joined(separator: ", "))
                    if let cutover = plan.cutover { Terminal.out("  " + cutover) }
                }
                if let usage = status.usage { Self.show(usage, workspace: space.path) }
            }
        }

        /// The workspace's size by part, and the commands that free what is no longer needed.
        static func show(_ usage: WorkspaceUsage, workspace: String) {
            let size = ByteCount.text
            var ledger = "ledger \(size(usage.ledger))"
            if let canonical = usage.canonicalRecords, let plans = usage.plans {
                ledger += " (canonical records \(size(canonical)), plans \(size(plans)))"
            }
            var reports = "reports \(size(usage.reports))"
            if usage.supersededReports > 0 {
                reports +=
                    " (\(size(usage.supersededReports)) of superseded plans: "
                    + SuggestedCommand.text("purge --reports", workspace: workspace) + ")"
            }
            let snapshots = usage.snapshots.reduce(Int64(0)) { $0 + $1.bytes }
            Terminal.out(
                "disk: \(size(usage.total)) — \(ledger), \(reports), snapshots \(size(snapshots)) "
                    + "(\(usage.snapshots.count) file\(usage.snapshots.count == 1 ? "" : "s"))")
            let copies = usage.snapshots.filter(\.safetyCopy)
            let formatter = ISO8601DateFormatter()
            for copy in copies {
                Terminal.out(
                    "  safety copy \((copy.path as NSString).lastPathComponent), \(size(copy.bytes)), taken "
                        + formatter.string(from: copy.modified) + " by a snapshot rollback")
            }
            if copies.count > 1 {
                Terminal.out(
                    "  " + SuggestedCommand.text("purge --keep-snapshots 1", workspace: workspace)
                        + " keeps the newest safety copy and removes the others (0 removes them all)")
            } else if copies.count == 1 {
                Terminal.out(
                    "  " + SuggestedCommand.text("purge --keep-snapshots 0", workspace: workspace) + " removes it")
            }
        }
    }
}
