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
    /// True when the target had nothing left to undo but the ledger still called the plan cut over (a
    /// rollback killed after its last batch, before it wrote the ledger): the ledger now says rolled back.
    public var ledgerCaughtUp = false
}

/// `custmig rollback PLAN`: undoes a cutover. Surgical (default) works batch by batch in reverse, each
/// in one target transaction that also marks its undo entries done, so a killed rollback resumes and a
/// finished one is a no-op. Snapshot mode verifies the snapshot's checksum, copies the current target
/// aside, restores the snapshot and verifies its row counts against the manifest.
public enum RollbackStage {
    public static func run(
        plan reference: String, mode: RollbackMode, workspace: Workspace, target: any Target
    ) throws -> RollbackSummary {
        let started = Date()
        let plan = try PlanStore.resolve(reference, ledger: workspace.ledger)
        let hash =
            try workspace.ledger.database.read { db in
                try String.fetchOne(db, sql: "SELECT content_hash FROM plan WHERE id = ?", arguments: [plan])
            } ?? ""
        let lock = try target.lockForWriting(
            holder: TargetWriteLock.holder(
                workspace: workspace.path, command: "custmig rollback \(plan) --mode \(mode.rawValue)"))
        defer { withExtendedLifetime(lock) {} }
        var summary = RollbackSummary(
            plan: plan, mode: mode.rawValue, outcome: "done", deleted: 0, restored: 0, kept: [], elapsedSeconds: 0)
        switch mode {
        case .surgical: try surgical(planHash: hash, target: target, summary: &summary)
        case .snapshot:
            try restoreSnapshot(planHash: hash, plan: plan, workspace: workspace, target: target, summary: &summary)
        }
        // The target is authoritative: a surgical rollback that finds nothing left to undo, for a plan the
        // ledger still calls cut over, was killed between its last batch and this write; catch up now.
        if summary.outcome == "nothing to undo", mode == .surgical,
            try target.committedBatches(planHash: hash).isEmpty,
            try workspace.ledger.database.read({ db in
                try Int.fetchOne(
                    db,
                    sql: "SELECT committed FROM cutover_progress WHERE plan_id = ? AND outcome NOT LIKE 'rolled back%'",
                    arguments: [plan])
            }).map({ $0 > 0 }) ?? false
        {
            summary.ledgerCaughtUp = true
        }
        if summary.outcome == "done" || summary.ledgerCaughtUp {
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

    static func surgical(planHash: String, target: any Target, summary: inout RollbackSummary) throws {
        let batches = try target.undoBatches(planHash: planHash)
        guard !batches.isEmpty else {
            summary.outcome = "nothing to undo"
            return
        }
        for batch in batches {
            let outcome = try target.undo(batch: batch, planHash: planHash, isLast: batch == batches.last)
            summary.deleted += outcome.deleted
            summary.restored += outcome.restored
            summary.kept += outcome.kept
        }
    }

    static func restoreSnapshot(
        planHash: String, plan: Int64, workspace: Workspace, target: any Target, summary: inout RollbackSummary
    ) throws {
        try target.require(
            .snapshots, for: "restore a snapshot", fix: "roll back with --mode surgical (the default).")
        let recorded =
            try target.snapshot(planHash: planHash)
            ?? workspace.ledger.database.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT path, sha256, manifest FROM snapshot WHERE plan_hash = ? AND target_instance = ?",
                    arguments: [planHash, target.instance]
                ).map { TargetSnapshot(location: $0["path"], sha256: $0["sha256"], manifest: $0["manifest"]) }
            }
        // A plan that applied no batch here has nothing to roll back: restoring its snapshot would only
        // throw away what others wrote since it was taken (another workspace's load, say).
        guard !(try target.committedBatches(planHash: planHash)).isEmpty else {
            throw CustmigError(
                .usage, code: "ROLLBACK-NOTHING-APPLIED",
                "plan \(plan) has no committed batch in \(target.location) (never cut over here, or already rolled "
                    + "back); restoring its snapshot would only undo what was written since it was taken.",
                fix: "nothing needs rolling back for this plan; check `custmig status` and the target's other loads.")
        }
        guard let recorded else {
            throw CustmigError(
                .usage, code: "ROLLBACK-NO-SNAPSHOT",
                "the target has no snapshot of plan \(plan) (was it cut over here?).",
                fix: "use --mode surgical, or the target the plan was cut over to.")
        }
        summary.safetySnapshot = try target.restore(
            recorded, safetyName: "before-rollback-plan-\(plan)-\(Int(Date().timeIntervalSince1970))",
            folder: try Snapshot.folder(workspace))
    }
}
