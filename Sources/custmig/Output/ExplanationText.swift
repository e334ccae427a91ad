import CustmigCore

/// The terminal rendering of `custmig explain`.
enum ExplanationText {
    static func render(_ explanation: Explanation) -> String {
        var lines = [
            "customer \(explanation.legacyKey) (canonical key \(explanation.key)): \(explanation.status), map run \(explanation.run)",
            "source: \(explanation.sourceFile):\(explanation.sourceLine) (record \(explanation.sourceIndex)); "
                + "mapping \(explanation.mapping) v\(explanation.mappingVersion) as stored in the ledger",
        ]
        if explanation.replayMatchesStored == false {
            lines.append(
                "warning: replaying this record now does not give the record map run \(explanation.run) stored (their "
                    + "hashes differ): this custmig maps it differently from the one that ran, so the fields below are "
                    + "what a map would store now. Map again to store that, or explain with the custmig version of the run."
            )
        }
        for correction in explanation.trace.corrections { lines.append("correction: \(correction)") }
        lines.append("fields:")
        for field in explanation.trace.fields {
            let result = field.value.map { "= \"\($0)\"" } ?? "= (empty)"
            lines.append("  \(field.field) \(result)")
            lines.append("      from \(field.source): \"\(field.raw)\"")
            for step in field.steps {
                lines.append("      \(step.step) -> \"\(step.output)\"" + (step.problem.map { "  [\($0)]" } ?? ""))
            }
        }
        lines.append("rules:")
        for verdict in explanation.trace.rules {
            lines.append("  \(verdict.rule): \(verdict.outcome)" + (verdict.message.map { " — \($0)" } ?? ""))
        }
        let other = explanation.trace.findings.filter { finding in
            !explanation.trace.rules.contains { $0.rule == finding.rule } && finding.outcome != .corrected
        }
        if !other.isEmpty {
            lines.append("cleansing findings:")
            for finding in other {
                lines.append("  \(finding.outcome.rawValue) \(finding.rule) \(finding.field ?? ""): \(finding.message)")
            }
        }
        // Values come from legacy data: no escape sequence of theirs reaches the terminal.
        return lines.map(Terminal.printable).joined(separator: "\n")
    }
}
