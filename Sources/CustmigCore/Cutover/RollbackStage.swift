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
    /// `command` is what resumes it (said when Ctrl-C stops it between batches).
    public static func run(
        plan reference: String, mode: RollbackMode, workspace: Workspace, target: any Target,
        command: String = "custmig rollback", progress: ProgressHandler? = nil
    ) throws -> RollbackSummary {
        let started = Date()
        let plan = try PlanStore.resolve(reference, ledger: workspace.ledger)
        let hash =
            try workspace.ledger.database.read { db in try PlanStore.plan(plan, db: db)?.contentHash } ?? ""
        let lock = try target.lockForWriting(
            holder: TargetWriteLock.holder(
                workspace: workspace.path, command: "custmig rollback \(plan) --mode \(mode.rawValue)"))
        defer { withExtendedLifetime(lock) {} }
        var summary = RollbackSummary(
            plan: plan, mode: mode.rawValue, outcome: "done", deleted: 0, restored: 0, kept: [], elapsedSeconds: 0)
        switch mode {
        case .surgical:
            try surgical(
                planHash: hash, plan: plan, ledger: workspace.ledger, target: target, summary: &summary,
                command: command, progress: progress)
        case .snapshot:
            do {
                try restoreSnapshot(
                    planHash: hash, plan: plan, workspace: workspace, target: target, summary: &summary)
            } catch var error as CustmigError where error.code == "INTERRUPTED" {
                error.fix = "run `\(command)` again; it restores the snapshot from the start."
                throw error
            }
            try record(plan: plan, outcome: "rolled back (snapshot)", committed: 0, ledger: workspace.ledger)
        }
        summary.elapsedSeconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Undoes the batches newest first. The target commits each batch with its undo entries gone, so the
    /// target always says how far the rollback got; the ledger says a rollback is under way before the
    /// first batch and mirrors each one after it, so a kill anywhere leaves `status` naming the rollback
    /// (not the cutover) as the thing to rerun, and the rerun finishes both.
    static func surgical(
        planHash: String, plan: Int64, ledger: Ledger, target: any Target, summary: inout RollbackSummary,
        command: String = "custmig rollback", progress: ProgressHandler? = nil
    ) throws {
        let batches = try target.undoBatches(planHash: planHash)
        guard !batches.isEmpty else {
            summary.outcome = "nothing to undo"
            // The target is authoritative: nothing left to undo for a plan the ledger does not yet call
            // rolled back means a rollback was killed between its last batch and the ledger's write.
            if try target.committedBatches(planHash: planHash).isEmpty,
                let progress = try ledger.database.read({ db in try LoadJournal.progress(plan: plan, db: db) }),
                !progress.outcome.hasPrefix("rolled back"),
                // A rollback under way, or batches the ledger mirrors; not a cutover stopped before its first.
                progress.outcome == rollingBack || progress.committed > 0
            {
                summary.ledgerCaughtUp = true
                try record(plan: plan, outcome: "rolled back (surgical)", committed: 0, ledger: ledger)
            }
            return
        }
        let applied = try target.committedBatches(planHash: planHash).count
        try record(plan: plan, outcome: rollingBack, committed: applied, ledger: ledger)
        FaultPoint.reach("rollback.started")
        for (done, batch) in batches.enumerated() {
            let outcome = try target.undo(batch: batch, planHash: planHash, isLast: batch == batches.last)
            summary.deleted += outcome.deleted
            summary.restored += outcome.restored
            summary.kept += outcome.kept
            FaultPoint.reach("rollback.batch-undone")
            let left = batches.count - done - 1
            let kept = summary.kept.isEmpty ? "" : ", \(summary.kept.count) customers kept"
            try record(
                plan: plan, outcome: left == 0 ? "rolled back (surgical\(kept))" : rollingBack,
                committed: min(applied, left), ledger: ledger)
            FaultPoint.reach("rollback.batch-recorded")
            progress?(
                StageProgress("rollback", done: Int64(done + 1), total: Int64(batches.count), unit: .batches))
            if left > 0 {
                try Interruption.check(
                    kept: "\(done + 1) of \(batches.count) batches undone; \(left) still applied in the target",
                    resume: "run `\(command)` again; it undoes the rest.")
            }
        }
    }

    /// What a snapshot rollback stopped before its restore kept (the targets check before restoring; the
    /// stage names the command that goes on).
    static let nothingRestored = "nothing: the target is unchanged, no row was restored"

    /// The ledger's outcome while a surgical rollback is under way (or was killed).
    static let rollingBack = "rolling back (surgical)"

    /// The ledger's mirror of the plan's state in the target, so `status` shows it (a rolled-back plan's
    /// new cutover starts over).
    static func record(plan: Int64, outcome: String, committed: Int, ledger: Ledger) throws {
        try ledger.database.write { db in
            try LoadJournal.update(plan: plan, committed: committed, outcome: outcome, db: db)
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
                try Snapshot.recorded(planHash: planHash, targetInstance: target.instance, db: db)
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
        try Interruption.check(kept: RollbackStage.nothingRestored, resume: "")
        summary.safetySnapshot = try target.restore(
            recorded, safetyName: "before-rollback-plan-\(plan)-\(Int(Date().timeIntervalSince1970 * 1000))",
            folder: try Snapshot.folder(workspace))
    }
}
