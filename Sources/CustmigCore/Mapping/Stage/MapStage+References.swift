import Foundation
import GRDB

extension MapStage {
    /// Checks every customer's references (parent, partner functions) once all extracts are mapped:
    /// the referenced legacy key must be a customer of this run that is not rejected, or one loaded
    /// clean by an earlier run. A miss is a `reference` finding (review or reject, as the mapping says).
    /// Idempotent, so an interrupted run simply does it again; statuses are recomputed from findings.
    ///
    /// Memory stays flat however large the run: the customers that refer to others are taken
    /// `pageSize` at a time and their references looked up by key (a set of every key of a 5M-record
    /// run would alone take a few hundred MB).
    static func checkReferences(run: Int64, mapping: Mapping, ledger: Ledger, pageSize: Int = 65536) throws {
        try ledger.database.write { db in
            // The records whose reference findings change (the earlier ones, the new ones) are the only
            // ones whose status can: only those are rewritten (rewriting every record, JSON and all,
            // was a fifth of a map's time). They are gathered in a temporary table, not in memory: in an
            // extract whose references all point outside it, that is every referring record.
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS reference_changed (legacy_key TEXT PRIMARY KEY)")
            try db.execute(sql: "DELETE FROM temp.reference_changed")
            try FindingStore.delete(run: run, rule: "reference", keepingKeysIn: "reference_changed", db: db)
            let lookup = try CanonicalStore.ReferenceTargets(run: run, db: db)
            // Prepared once: an extract whose references all point outside it has a finding per record.
            let findings = FindingStore.inserter(db: db)
            var texts = try FindingStore.Texts(db: db)
            let changed = try db.makeStatement(
                sql: "INSERT OR IGNORE INTO temp.reference_changed (legacy_key) VALUES (?)")
            var page: [CanonicalStore.Referring] = []
            func resolve() throws {
                // Looked up in key order: the ledger's key index (and, for an extract sorted by key, its
                // rows) is then read page after page instead of at random, one read per probe.
                var known: [String: Bool] = [:]
                for record in page {
                    for reference in record.references.split(separator: " ") { known[String(reference)] = false }
                }
                for key in known.keys.sorted() { known[key] = try lookup.contains(key) }
                for record in page {
                    for reference in record.references.split(separator: " ") {
                        let key = String(reference)
                        guard known[key] == false else { continue }
                        try insertFinding(
                            referring: record, reference: key, mapping: mapping, run: run, into: findings,
                            texts: &texts, db: db)
                        try changed.execute(arguments: [record.legacyKey])
                    }
                }
                page.removeAll(keepingCapacity: true)
            }
            try CanonicalStore.forEachReferring(run: run, db: db) { record in
                page.append(record)
                if page.count >= pageSize { try resolve() }
            }
            try resolve()
            try CanonicalStore.restatus(run: run, keysIn: "reference_changed", db: db)
            try db.execute(sql: "DROP TABLE temp.reference_changed")
        }
    }

    /// The `reference` finding of a customer whose reference is no customer (settled by a steward's
    /// decision when there is one).
    private static func insertFinding(
        referring: CanonicalStore.Referring, reference: String, mapping: Mapping, run: Int64,
        into findings: MultiRowInsert, texts: inout FindingStore.Texts, db: Database
    ) throws {
        var outcome = mapping.missingReference.rawValue
        var message =
            "refers to customer \(reference), which is neither in these extracts (unrejected) nor loaded by an earlier run"
        if let decision = mapping.decisions[referring.legacyKey]?.first(where: { $0.rule == "reference" }) {
            outcome = decision.verdict == .approve ? MappingFinding.Outcome.approved.rawValue : "reject"
            message +=
                " — \(decision.verdict == .approve ? "approved" : "rejected") by \(decision.who) "
                + "(review-decisions.csv line \(decision.line))"
        }
        let finding = MappingFinding(
            MappingFinding.Outcome(rawValue: outcome) ?? .review, rule: "reference", field: "parent / partner function",
            value: reference, message: message,
            fix:
                "add the customer to the extract, fix the reference in the legacy system, or clear it with a correction"
        )
        let prepared = try texts.prepare(finding, db: db)
        _ = try findings.run(count: 1) { _, bind in
            FindingStore.bind(
                &bind, run: Int(run), legacyKey: referring.legacyKey, finding: prepared, input: referring.input,
                line: referring.line, index: referring.index)
        }
    }
}
