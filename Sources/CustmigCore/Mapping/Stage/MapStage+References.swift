import Foundation
import GRDB

extension MapStage {
    /// Checks every customer's references (parent, partner functions) once all extracts are mapped:
    /// the referenced legacy key must be a customer of this run that is not rejected, or one loaded
    /// clean by an earlier run. A miss is a `reference` finding (review or reject, as the mapping says).
    /// Idempotent, so an interrupted run simply does it again; statuses are recomputed from findings.
    static func checkReferences(run: Int64, mapping: Mapping, ledger: Ledger) throws {
        try ledger.database.write { db in
            // The records whose reference findings change (the earlier ones, the new ones) are the only
            // ones whose status can: only those are rewritten (rewriting every record, JSON and all,
            // was a fifth of a map's time).
            var changed = Set(
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT legacy_key FROM finding WHERE run_id = ? AND rule = 'reference'",
                    arguments: [run]))
            try db.execute(sql: "DELETE FROM finding WHERE run_id = ? AND rule = 'reference'", arguments: [run])
            var available = Set<String>()
            var referring: [(key: String, references: String, line: Int, index: Int, input: Int)] = []
            let records = try Row.fetchCursor(
                db,
                sql: """
                    SELECT legacy_key, status, refs, source_input, source_line, source_index FROM canonical_record
                    WHERE run_id = ?
                    """, arguments: [run])
            while let row = try records.next() {
                guard row["status"] as String != "rejected" else { continue }
                let key: String = row["legacy_key"]
                available.insert(key)
                let references: String = row["refs"] ?? ""
                if !references.isEmpty {
                    referring.append((key, references, row["source_line"], row["source_index"], row["source_input"]))
                }
            }
            let earlier = try String.fetchCursor(
                db, sql: "SELECT legacy_key FROM canonical_record WHERE run_id < ? AND status = 'ok'", arguments: [run])
            while let key = try earlier.next() { available.insert(key) }
            var missing: [(key: String, reference: String, line: Int, index: Int, input: Int)] = []
            for record in referring {
                for reference in record.references.split(separator: " ") where !available.contains(String(reference)) {
                    missing.append((record.key, String(reference), record.line, record.index, record.input))
                }
            }
            changed.formUnion(missing.map(\.key))
            for item in missing {
                var outcome = mapping.missingReference.rawValue
                var message = "refers to customer \(item.reference), which is neither in these extracts (unrejected) nor loaded by an earlier run"
                if let decision = mapping.decisions[item.key]?.first(where: { $0.rule == "reference" }) {
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
                        run, item.key, outcome, item.reference, message,
                        "add the customer to the extract, fix the reference in the legacy system, or clear it with a correction",
                        item.input, item.line, item.index,
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
}
