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
    static func checkReferences(run: Int64, mapping: Mapping, ledger: Ledger, pageSize: Int = 4096) throws {
        try ledger.database.write { db in
            // The records whose reference findings change (the earlier ones, the new ones) are the only
            // ones whose status can: only those are rewritten (rewriting every record, JSON and all,
            // was a fifth of a map's time).
            var changed = Set(
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT legacy_key FROM finding WHERE run_id = ? AND rule = 'reference'",
                    arguments: [run]))
            try db.execute(sql: "DELETE FROM finding WHERE run_id = ? AND rule = 'reference'", arguments: [run])
            let lookup = try ReferenceLookup(db: db, run: run)
            var missing: [MissingReference] = []
            var page: [Referring] = []
            func resolve() throws {
                var known: [String: Bool] = [:]
                for record in page {
                    for reference in record.references.split(separator: " ") {
                        let key = String(reference)
                        let available = try known[key] ?? lookup.isAvailable(key)
                        known[key] = available
                        if !available { missing.append(MissingReference(referring: record, reference: key)) }
                    }
                }
                page.removeAll(keepingCapacity: true)
            }
            let records = try Row.fetchCursor(
                db,
                sql: """
                    SELECT legacy_key, refs, source_input, source_line, source_index FROM canonical_record
                    WHERE run_id = ? AND status <> 'rejected' AND refs <> ''
                    """, arguments: [run])
            while let row = try records.next() {
                page.append(
                    Referring(
                        key: row["legacy_key"], references: row["refs"], line: row["source_line"],
                        index: row["source_index"], input: row["source_input"]))
                if page.count >= pageSize { try resolve() }
            }
            try resolve()
            changed.formUnion(missing.map(\.referring.key))
            for item in missing {
                var outcome = mapping.missingReference.rawValue
                var message = "refers to customer \(item.reference), which is neither in these extracts (unrejected) nor loaded by an earlier run"
                if let decision = mapping.decisions[item.referring.key]?.first(where: { $0.rule == "reference" }) {
                    outcome = decision.verdict == .approve ? MappingFinding.Outcome.approved.rawValue : "reject"
                    message += " — \(decision.verdict == .approve ? "approved" : "rejected") by \(decision.who) "
                        + "(review-decisions.csv line \(decision.line))"
                }
                try db.execute(
                    sql: """
                        INSERT INTO finding (run_id, legacy_key, outcome, rule, field, value, message, fix, source_input,
                        source_line, source_index) VALUES (?, ?, ?, 'reference', 'parent / partner function', ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        run, item.referring.key, outcome, item.reference, message,
                        "add the customer to the extract, fix the reference in the legacy system, or clear it with a correction",
                        item.referring.input, item.referring.line, item.referring.index,
                    ])
            }
            let recompute = try db.makeStatement(
                sql: """
                    UPDATE canonical_record SET status = CASE
                    WHEN EXISTS (SELECT 1 FROM finding f WHERE f.run_id = canonical_record.run_id
                        AND f.legacy_key = canonical_record.legacy_key AND f.outcome = 'reject') THEN 'rejected'
                    WHEN EXISTS (SELECT 1 FROM finding f WHERE f.run_id = canonical_record.run_id
                        AND f.legacy_key = canonical_record.legacy_key AND f.outcome = 'review') THEN 'review'
                    ELSE 'ok' END
                    WHERE run_id = ? AND legacy_key = ?
                    """)
            for key in changed.sorted() { try recompute.execute(arguments: [run, key]) }
        }
    }

    /// A customer of this run that refers to others, with where it came from.
    private struct Referring {
        var key: String
        var references: String
        var line: Int
        var index: Int
        var input: Int
    }

    private struct MissingReference {
        var referring: Referring
        var reference: String
    }

    /// Whether a referenced legacy key is a customer: unrejected in this run (by its primary key) or
    /// loaded clean by an earlier run (by the legacy-key index).
    private struct ReferenceLookup {
        let inRun: Statement
        let earlier: Statement
        let run: Int64

        init(db: Database, run: Int64) throws {
            self.run = run
            inRun = try db.makeStatement(
                sql: "SELECT 1 FROM canonical_record WHERE run_id = ? AND legacy_key = ? AND status <> 'rejected'")
            earlier = try db.makeStatement(
                sql: "SELECT 1 FROM canonical_record WHERE legacy_key = ? AND run_id < ? AND status = 'ok' LIMIT 1")
        }

        func isAvailable(_ key: String) throws -> Bool {
            if try Int.fetchOne(inRun, arguments: [run, key]) != nil { return true }
            return try Int.fetchOne(earlier, arguments: [key, run]) != nil
        }
    }
}
