import Foundation
import GRDB

public enum RollbackMode: String, Sendable, CaseIterable {
    /// From the undo log: delete what the cutover inserted, restore what it updated, keep later edits.
    case surgical
    /// Restore the snapshot taken before the cutover's first batch: the whole target as it was.
    case snapshot
}

/// What a rollback did.
public struct RollbackSummary: Sendable, Codable {
    public var plan: Int64
    public var mode: String
    /// `done`, or `nothing to undo` when the plan has no applied batch left.
    public var outcome: String
    public var deleted: Int
    public var restored: Int
    /// Rows left alone and why (edited after the cutover, referenced by something it did not create…).
    public var kept: [String]
    /// Snapshot mode: the copy of the target taken just before restoring (so the rollback can be undone).
    public var safetySnapshot: String?
    public var elapsedSeconds: Double
}

/// `custmig rollback PLAN`: undoes a cutover. Surgical (default) works batch by batch in reverse, each
/// in one target transaction that also marks its undo entries done, so a killed rollback resumes and a
/// finished one is a no-op. Snapshot mode verifies the snapshot's checksum, copies the current target
/// aside, restores the snapshot and verifies its row counts against the manifest.
public enum RollbackStage {
    /// A batch's undo entries are numbered `batch * undoSeqStride + index`: its primary-key range.
    static let undoSeqStride = SQLiteTarget.undoSeqStride

    public static func run(
        plan reference: String, mode: RollbackMode, workspace: Workspace, target: SQLiteTarget
    ) throws -> RollbackSummary {
        let started = Date()
        let plan = try PlanStore.resolve(reference, ledger: workspace.ledger)
        let hash =
            try workspace.ledger.database.read { db in
                try String.fetchOne(db, sql: "SELECT content_hash FROM plan WHERE id = ?", arguments: [plan])
            } ?? ""
        var summary = RollbackSummary(
            plan: plan, mode: mode.rawValue, outcome: "done", deleted: 0, restored: 0, kept: [], elapsedSeconds: 0)
        switch mode {
        case .surgical: try surgical(planHash: hash, target: target, summary: &summary)
        case .snapshot:
            try restoreSnapshot(planHash: hash, plan: plan, workspace: workspace, target: target, summary: &summary)
        }
        if summary.outcome == "done" {
            // The ledger's mirror says what happened, so `status` shows the plan rolled back (and a new
            // cutover of it starts over).
            let kept = summary.kept.isEmpty ? "" : ", \(summary.kept.count) customers kept"
            try workspace.ledger.database.write { db in
                try db.execute(
                    sql: "UPDATE cutover_progress SET committed = 0, outcome = ?, updated_at = ? WHERE plan_id = ?",
                    arguments: ["rolled back (\(mode.rawValue)\(kept))", Date(), plan])
            }
        }
        summary.elapsedSeconds = Date().timeIntervalSince(started)
        return summary
    }

    static func surgical(planHash: String, target: SQLiteTarget, summary: inout RollbackSummary) throws {
        // From the primary key's index alone (seq = batch * stride + index), not the entries' images.
        let batches = try target.database.read { db in
            try Int.fetchAll(
                db, sql: "SELECT DISTINCT seq / ? FROM custmig_undo WHERE plan_hash = ? ORDER BY 1 DESC",
                arguments: [undoSeqStride, planHash])
        }
        guard !batches.isEmpty else {
            summary.outcome = "nothing to undo"
            return
        }
        for batch in batches {
            try target.database.write { db in
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
                var rowsNow = try SQLiteTarget.rows(ids: Array(restoring), db: db)
                var fingerprints = try SQLiteTarget.fingerprints(ids: Array(deleting), db: db)
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
                            rowsNow[id] = try SQLiteTarget.rows(ids: [id], db: db)[id]
                        } else {
                            fingerprints[id] = try SQLiteTarget.fingerprints(ids: [id], db: db)[id]
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
                        summary.kept.append("\(key) (\(id)): \(outcome.dropFirst(6))")
                    } else if let before {
                        // The row is as the cutover left it (same fingerprint): diff against it.
                        try SQLiteTarget.apply(
                            TargetAction(kind: .upsert, canonicalKey: key, customerId: id, image: CustomerImage()),
                            rows: before, before: after, statements: statements)
                        if restoredIds.insert(id).inserted { summary.restored += 1 }
                        outcome = "restored"
                    } else if let referrer = try String.fetchOne(
                        db.cachedStatement(
                            sql: """
                                SELECT customer_id FROM customer WHERE parent_id = ?1 AND customer_id != ?1
                                UNION SELECT customer_id FROM partner_function WHERE partner_id = ?1 AND customer_id != ?1 LIMIT 1
                                """), arguments: [id])
                    {
                        outcome = "kept: referenced by \(referrer), which the cutover did not create"
                        summary.kept.append(
                            "\(key) (\(id)): referenced by customer \(referrer), which the cutover did not create")
                    } else {
                        for table in TargetSchema.childTables.reversed() {
                            try db.cachedStatement(sql: SQLiteTarget.deleteChildSQL[table]!).execute(arguments: [id])
                        }
                        try db.cachedStatement(sql: "DELETE FROM customer WHERE customer_id = ?").execute(arguments: [id])
                        summary.deleted += 1
                        if restoredIds.remove(id) != nil { summary.restored -= 1 }
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
                if batch == batches.last {
                    // Nothing of the plan is applied any more: a new cutover may cut other batches.
                    try db.execute(
                        sql: "DELETE FROM custmig_meta WHERE key = ?", arguments: [CutoverBatches.metaKey(planHash: planHash)])
                }
            }
        }
    }

    static func restoreSnapshot(
        planHash: String, plan: Int64, workspace: Workspace, target: SQLiteTarget, summary: inout RollbackSummary
    ) throws {
        let recorded =
            try target.database.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT path, sha256, manifest FROM custmig_snapshot WHERE plan_hash = ?",
                    arguments: [planHash])
            }
            ?? workspace.ledger.database.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT path, sha256, manifest FROM snapshot WHERE plan_hash = ? AND target_instance = ?",
                    arguments: [planHash, target.instance])
            }
        guard let recorded else {
            throw CustmigError(
                .usage, code: "ROLLBACK-NO-SNAPSHOT",
                "the target has no snapshot of plan \(plan) (was it cut over here?).",
                fix: "use --mode surgical, or the target the plan was cut over to.")
        }
        let path: String = recorded["path"]
        guard FileManager.default.fileExists(atPath: path) else {
            throw CustmigError(
                .unreadableInput, code: "ROLLBACK-SNAPSHOT-MISSING", "the snapshot \(path) is missing.",
                fix: "restore it from the workspace's backup, or roll back with --mode surgical.")
        }
        let digest = try FileDigest.sha256(path: path)
        guard digest == recorded["sha256"] as String else {
            throw CustmigError(
                .unreadableInput, code: "ROLLBACK-SNAPSHOT-CORRUPT",
                "the snapshot \(path) does not match its checksum (\(digest.prefix(12))… instead of \((recorded["sha256"] as String).prefix(12))…); nothing was restored.",
                fix: "restore the snapshot file from a backup, or roll back with --mode surgical.")
        }
        let folder = workspace.path + "/snapshots"
        // A rollback killed while copying the target aside left a partial copy (at 1M customers, 2.5 GB).
        Snapshot.removePartials(in: folder)
        let safety = "\(folder)/before-rollback-plan-\(plan)-\(Int(Date().timeIntervalSince1970)).sqlite"
        try Snapshot.copy(target.database, to: safety)
        summary.safetySnapshot = safety
        var configuration = Configuration()
        configuration.readonly = true
        let source = try DatabaseQueue(path: path, configuration: configuration)
        try source.backup(to: target.database)
        try source.close()
        let manifest =
            (try? JSONDecoder().decode([String: Int].self, from: Data((recorded["manifest"] as String).utf8))) ?? [:]
        try target.database.read { db in
            for (table, count) in manifest where table != "custmig_snapshot" {
                let now = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table)\"") ?? -1
                guard now == count else {
                    throw CustmigError(
                        .internalFailure, code: "ROLLBACK-VERIFY",
                        "after the restore \(table) has \(now) rows, the snapshot's manifest says \(count).",
                        fix: "restore \(safety) (the target before this rollback) and report this.")
                }
            }
        }
    }
}
