import Foundation
import GRDB

extension MapStage {
    /// Checks every customer's references (parent, partner functions) once all extracts are mapped:
    /// the referenced legacy key must be a customer of this run that is not rejected, or one loaded
    /// clean by an earlier run. A miss is a `reference` finding (review or reject, as the mapping says).
    /// Idempotent, so an interrupted run simply does it again; statuses are recomputed from findings.
    static func checkReferences(run: Int64, mapping: Mapping, ledger: Ledger) throws {
        try ledger.database.write { db in
            try db.execute(sql: "DELETE FROM finding WHERE run_id = ? AND rule = 'reference'", arguments: [run])
            var available = Set<String>()
            let keys = try Row.fetchCursor(
                db,
                sql: """
                    SELECT legacy_key FROM canonical_record WHERE (run_id = ? AND status != 'rejected')
                    OR (run_id < ? AND status = 'ok')
                    """, arguments: [run, run])
            while let row = try keys.next() { available.insert(row["legacy_key"]) }
            var missing: [(key: String, reference: String, line: Int, index: Int, input: Int)] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT legacy_key, refs, source_input, source_line, source_index FROM canonical_record
                    WHERE run_id = ? AND refs != '' AND status != 'rejected'
                    """, arguments: [run])
            while let row = try rows.next() {
                for reference in (row["refs"] as String).split(separator: " ") where !available.contains(String(reference)) {
                    missing.append((row["legacy_key"], String(reference), row["source_line"], row["source_index"], row["source_input"]))
                }
            }
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
            try db.execute(
                sql: """
                    UPDATE canonical_record SET status = CASE
                    WHEN EXISTS (SELECT 1 FROM finding f WHERE f.run_id = canonical_record.run_id
                        AND f.legacy_key = canonical_record.legacy_key AND f.outcome = 'reject') THEN 'rejected'
                    WHEN EXISTS (SELECT 1 FROM finding f WHERE f.run_id = canonical_record.run_id
                        AND f.legacy_key = canonical_record.legacy_key AND f.outcome = 'review') THEN 'review'
                    ELSE 'ok' END
                    WHERE run_id = ?
                    """, arguments: [run])
        }
    }
}
