import CustmigCore

/// The terminal summary of a map run.
enum MapSummaryText {
    static func render(_ summary: MapSummary) -> String {
        var lines: [String] = []
        if summary.outcome == "unchanged" {
            lines.append(
                "map run \(summary.run): these extracts were already mapped with this mapping version; nothing to do.")
        } else {
            lines.append(
                "map run \(summary.run)\(summary.resumed ? " (resumed after an interruption)" : ""): "
                    + "\(summary.mapping) v\(summary.mappingVersion) in \(String(format: "%.2f", summary.elapsedSeconds)) s"
            )
        }
        lines.append("  read        \(summary.read)")
        lines.append("  mapped      \(summary.mapped)")
        lines.append("  to review   \(summary.toReview)")
        lines.append("  rejected    \(summary.rejected)")
        lines.append("  malformed   \(summary.malformed)")
        if summary.superseded > 0 {
            lines.append("  superseded  \(summary.superseded) (same key, the source.same_key policy)")
        }
        if !summary.perRule.isEmpty {
            lines.append("findings per rule:")
            for rule in summary.perRule.prefix(20) {
                lines.append("  \(rule.outcome.padding(6)) \(rule.count.padded(7))  \(rule.rule)")
            }
        }
        if !summary.unknownCodes.isEmpty {
            lines.append("codes not in a value map (once per code):")
            for code in summary.unknownCodes.prefix(20) {
                lines.append("  \(code.valueMap): \"\(code.code)\" × \(code.count)")
            }
            if summary.unknownCodesTotal > 20 {
                lines.append("  … and \(summary.unknownCodesTotal - 20) more codes (every one in the reject report)")
            }
        }
        if !summary.extractProblems.isEmpty {
            lines.append("problems with the extracts themselves:")
            for problem in summary.extractProblems.prefix(20) { lines.append("  \(problem)") }
        }
        if !summary.unseenSources.isEmpty {
            lines.append(
                "read by the mapping but in no record of the extracts (a misspelt name? `custmig peek` shows the fields):"
            )
            for source in summary.unseenSources.prefix(20) { lines.append("  \(source)") }
        }
        for orphan in summary.orphans {
            lines.append(
                "orphans in \(orphan.source): \(orphan.rows) rows for \(orphan.keys) keys with no primary record "
                    + "(e.g. \(orphan.examples.joined(separator: ", ")))")
        }
        if !summary.unmatchedCorrections.isEmpty {
            lines.append("corrections that match no customer in these extracts:")
            for line in summary.unmatchedCorrections.prefix(20) { lines.append("  \(line)") }
        }
        if !summary.unmatchedDecisions.isEmpty {
            lines.append("review decisions that settle nothing any more:")
            for line in summary.unmatchedDecisions.prefix(20) { lines.append("  \(line)") }
        }
        for report in summary.reports { lines.append("report: \(report)") }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

extension Int {
    func padded(_ width: Int) -> String {
        let text = String(self)
        return text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
