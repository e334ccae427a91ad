import Foundation
import GRDB

/// The surgical rollback in the SQLite target: the undo log read back batch by batch.
extension SQLiteTarget {
    /// The batches of a plan with undo entries, newest first, from the primary key's index alone
    /// (seq = batch * stride + index), not the entries' images.
    public func undoBatches(planHash: String) throws -> [Int] {
        try database.read { db in
            try Int.fetchAll(
                db, sql: "SELECT DISTINCT seq / ? FROM custmig_undo WHERE plan_hash = ? ORDER BY 1 DESC",
                arguments: [Self.undoSeqStride, planHash])
        }
    }

    /// Undoes one batch in one transaction that also removes its undo entries and checkpoint, so a
    /// killed rollback resumes with what is left.
    public func undo(batch: Int, planHash: String, isLast: Bool) throws -> UndoOutcome {
        try requireSameFile(doing: "the undo of batch \(batch + 1)")
        let undoSeqStride = Self.undoSeqStride
        var result = UndoOutcome()
        try database.write { db in
            let entries = try Row.fetchAll(
                db,
                sql: "SELECT * FROM custmig_undo WHERE plan_hash = ? AND seq >= ? AND seq < ? ORDER BY seq DESC",
                arguments: [planHash, batch * undoSeqStride, (batch + 1) * undoSeqStride])
            // Read the batch's rows in a few queries: the rows of customers to restore (their
            // fingerprint taken from them), the fingerprint alone of those to delete. A customer with
            // two entries in the batch (both passes of a reference cycle) is read again after its
            // first entry is undone.
            let restoring = Set(
                entries.filter { ($0["before_image"] as String?) != nil }.map { $0["customer_id"] as String })
            let deleting = Set(entries.map { $0["customer_id"] as String }).subtracting(restoring)
            var rowsNow = try Self.rows(ids: Array(restoring), db: db)
            var fingerprints = try Self.fingerprints(ids: Array(deleting), db: db)
            var seen = Set<String>()
            // A customer restored by one entry and deleted by an earlier one (the two passes of a
            // reference cycle) counts once, as deleted.
            var restoredIds = Set<String>()
            let statements = try ApplyStatements(db)
            for entry in entries {
                let id: String = entry["customer_id"]
                let key: String = entry["canonical_key"]
                let afterHash: String = entry["after_hash"]
                let before = (entry["before_image"] as String?).flatMap(StoredImageText.rows)
                if !seen.insert(id).inserted {
                    if restoring.contains(id) {
                        rowsNow[id] = try Self.rows(ids: [id], db: db)[id]
                    } else {
                        fingerprints[id] = try Self.fingerprints(ids: [id], db: db)[id]
                    }
                }
                let after = rowsNow[id].flatMap { try? $0.get() }
                let current = restoring.contains(id) ? after?.fingerprint : fingerprints[id]
                var outcome: String
                if current == nil && before == nil {
                    outcome = "already gone"
                } else if current != afterHash {
                    outcome =
                        current == nil
                        ? "kept: deleted in the target since the cutover"
                        : "kept: edited in the target since the cutover"
                    result.kept.append("\(key) (\(id)): \(outcome.dropFirst(6))")
                } else if let before {
                    // The row is as the cutover left it (same fingerprint): diff against it.
                    try Self.apply(
                        TargetAction(kind: .upsert, canonicalKey: key, customerId: id, image: CustomerImage()),
                        rows: before, before: after, statements: statements)
                    if restoredIds.insert(id).inserted { result.restored += 1 }
                    outcome = "restored"
                } else if let referrer = try String.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT customer_id FROM customer WHERE parent_id = ?1 AND customer_id != ?1
                            UNION SELECT customer_id FROM partner_function WHERE partner_id = ?1 AND customer_id != ?1 LIMIT 1
                            """), arguments: [id])
                {
                    outcome = "kept: referenced by \(referrer), which the cutover did not create"
                    result.kept.append(
                        "\(key) (\(id)): referenced by customer \(referrer), which the cutover did not create")
                } else {
                    for table in TargetSchema.childTables.reversed() {
                        try db.cachedStatement(sql: Self.deleteChildSQL[table]!).execute(arguments: [id])
                    }
                    try db.cachedStatement(sql: "DELETE FROM customer WHERE customer_id = ?").execute(arguments: [id])
                    result.deleted += 1
                    if restoredIds.remove(id) != nil { result.restored -= 1 }
                    outcome = "deleted"
                }
                if outcome == "restored" || outcome == "deleted" {
                    if entry["crosswalk_created"] as Bool {
                        try db.cachedStatement(sql: "DELETE FROM custmig_crosswalk WHERE canonical_key = ?")
                            .execute(arguments: [key])
                    }
                    if let image: String = entry["loaded_before"] {
                        try db.cachedStatement(
                            sql: """
                                UPDATE custmig_loaded SET image = ?, image_hash = ?, source_hash = ?,
                                plan_hash = IFNULL(?, plan_hash), loaded_at = IFNULL(?, loaded_at) WHERE canonical_key = ?
                                """
                        ).execute(arguments: [
                            image, entry["loaded_before_hash"], entry["loaded_before_source"],
                            entry["loaded_before_plan"], entry["loaded_before_at"], key,
                        ])
                        try db.cachedStatement(
                            sql: "UPDATE custmig_crosswalk SET image_hash = ?, source_hash = ? WHERE canonical_key = ?"
                        ).execute(arguments: [entry["loaded_before_hash"], entry["loaded_before_source"], key])
                    } else {
                        try db.cachedStatement(sql: "DELETE FROM custmig_loaded WHERE canonical_key = ?")
                            .execute(arguments: [key])
                    }
                }
                // Undone (or kept and reported): the entry goes in the same transaction, so a rerun
                // continues with what is left and a later cutover of the plan logs afresh.
                _ = outcome
                try db.cachedStatement(sql: "DELETE FROM custmig_undo WHERE plan_hash = ? AND seq = ?")
                    .execute(arguments: [planHash, entry["seq"]])
            }
            try db.execute(
                sql: "DELETE FROM custmig_checkpoint WHERE plan_hash = ? AND batch = ?",
                arguments: [planHash, batch])
            if isLast {
                // Nothing of the plan is applied any more: a new cutover may cut other batches.
                try db.execute(
                    sql: "DELETE FROM custmig_meta WHERE key = ?", arguments: [Self.layoutKey(planHash)])
            }
            FaultPoint.reach("rollback.batch-inside-commit")
        }
        return result
    }
}
