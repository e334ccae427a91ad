import GRDB
import GRDBSQLite

/// Settles `unique` rules in extract order, inside the ledger: the first record with a value keeps
/// it, every later one breaks the rule. The ledger's `unique_value` table is what has been seen, so
/// memory stays flat however large the extract, a resumed run sees exactly what was committed, and the
/// engines can map records in parallel (order matters only here, on the writer's thread).
struct UniqueCheck {
    private let rules: [String: (path: String, rule: MappingRule)]
    private let mapping: Mapping

    init(mapping: Mapping) {
        self.mapping = mapping
        var rules: [String: (path: String, rule: MappingRule)] = [:]
        for rule in mapping.rules {
            if case .unique(let path) = rule.kind { rules[rule.id] = (path, rule) }
        }
        self.rules = rules
    }

    /// Forgets the values a map run registered (they are source values: a purge removes them).
    static func forget(run: Int64, db: Database) throws {
        try db.execute(sql: "DELETE FROM unique_value WHERE run_id = ?", arguments: [run])
    }

    /// Registers an item's values, in the chunk's transaction; each value seen before adds the rule's
    /// finding (settled by the stewards' decisions, like every other review finding) and its status.
    func register(_ item: inout MapChunk.Item, input: Int, run: Int64, db: Database) throws {
        guard !item.uniqueValues.isEmpty else { return }
        let insert = try RawStatement(
            db, sql: "INSERT OR IGNORE INTO unique_value (run_id, rule, value) VALUES (?, ?, ?)")
        for unique in item.uniqueValues {
            try insert.run { bind in
                bind.int(Int(run))
                bind.text(unique.rule)
                bind.text(unique.value)
            }
            guard sqlite3_changes(db.sqliteConnection) == 0, let (path, rule) = rules[unique.rule] else { continue }
            var findings = [
                MappingFinding(
                    rule.severity == .review ? .review : .reject, rule: rule.id, field: path, value: unique.value,
                    message: rule.message, fix: rule.fix)
            ]
            if let legacyKey = item.legacyKey { mapping.applyDecisions(legacyKey: legacyKey, to: &findings) }
            item.add(findings[0])
        }
    }
}
