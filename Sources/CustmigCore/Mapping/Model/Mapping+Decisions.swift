extension Mapping {
    /// Settles a customer's review findings with the stewards' decisions (`review-decisions.csv`):
    /// approved ones stay as an audit trail, rejected ones become rejects; both say who and where.
    func applyDecisions(legacyKey: String, to findings: inout [MappingFinding]) {
        guard let decisions = decisions[legacyKey] else { return }
        for decision in decisions {
            for index in findings.indices
            where findings[index].rule == decision.rule && findings[index].outcome == .review {
                switch decision.verdict {
                case .approve:
                    findings[index].outcome = .approved
                    findings[index].message +=
                        " — approved by \(decision.who) (review-decisions.csv line \(decision.line))"
                case .reject:
                    findings[index].outcome = .reject
                    findings[index].message +=
                        " — rejected by \(decision.who) (review-decisions.csv line \(decision.line))"
                }
            }
        }
    }
}
