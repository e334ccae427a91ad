import Foundation
import GRDB

/// What ran in a workspace and what can be resumed: `custmig status`.
public struct WorkspaceStatus: Sendable, Codable {
    public struct RunStatus: Sendable, Codable {
        public var id: Int64
        public var stage: String
        /// `running` (interrupted or in progress: rerun the same command to resume) or `done`.
        public var status: String
        public var mapping: String?
        public var mappingVersion: Int?
        public var scope: String?
        public var command: String
        public var startedAt: Date
        public var finishedAt: Date?
        public var inputs: [InputStatus]
        public var counts: [String: Int]
    }

    public struct InputStatus: Sendable, Codable {
        public var path: String
        public var sha256: String
        public var recordsCommitted: Int
        public var done: Bool
        /// For an interrupted run: the record (and line) a rerun of its command continues at.
        public var resumesAtRecord: Int?
        public var resumesAtLine: Int?
    }

    /// A dry run's plan: what it would do, against which target, and who approved it.
    public struct PlanStatus: Sendable, Codable {
        public var id: Int64
        /// `current` or `superseded`.
        public var status: String
        public var target: String
        public var mapRun: Int64
        public var contentHash: String
        public var counts: [String: Int]
        public var approvedBy: String?
        public var createdAt: Date
        /// The cutover's progress: batches committed of all (the target's own count when the target
        /// can be read, which is authoritative; else the ledger's mirror), and what a rerun does.
        public var cutover: String?
        /// Batches of this plan the target itself holds checkpoints for (nil: the target was not read).
        public var targetCommitted: Int?
    }

    public var workspace: String
    public var runs: [RunStatus]
    public var plans: [PlanStatus] = []
    /// The command at work in the workspace now (`pid … running \`…\` since …`), nil when none is:
    /// a `running` run is then in progress, not interrupted.
    public var inProgress: String?
    /// Where the workspace's disk goes (nil when it could not be measured).
    public var usage: WorkspaceUsage?

    public static func read(_ workspace: Workspace) throws -> WorkspaceStatus {
        var status = try readLedger(workspace)
        status.usage = try? WorkspaceUsage.read(workspace)
        return status
    }

    private static func readLedger(_ workspace: Workspace) throws -> WorkspaceStatus {
        try workspace.ledger.database.read { db in
            let runs = try RunStore.all(db: db).map { run -> RunStatus in
                let id = run.id ?? 0
                let inputs = try CheckpointStore.inputs(run: id, db: db).map { input -> InputStatus in
                    let resumes = !input.done && input.recordIndex > 1
                    return InputStatus(
                        path: input.path, sha256: input.sha256, recordsCommitted: input.records, done: input.done,
                        resumesAtRecord: resumes ? input.recordIndex : nil, resumesAtLine: resumes ? input.line : nil)
                }
                var counts = try CanonicalStore.statusCounts(run: id, db: db)
                counts["findings"] = try FindingStore.count(run: id, db: db)
                counts["malformed"] = try MalformedStore.recordCount(run: id, db: db)
                return RunStatus(
                    id: id, stage: run.stage, status: run.status, mapping: run.mappingName,
                    mappingVersion: run.mappingVersion, scope: run.scope, command: run.command,
                    startedAt: run.startedAt, finishedAt: run.finishedAt, inputs: inputs, counts: counts)
            }
            var status = WorkspaceStatus(workspace: workspace.path, runs: runs)
            status.inProgress = WorkspaceLock.holder(folder: workspace.path)
            let holder = status.inProgress ?? ""
            status.plans = try PlanStore.shownPlans(db: db).map { row in
                let id = row.id ?? 0
                let summary = row.summary.flatMap {
                    try? JSONDecoder().decode(PlanSummary.self, from: Data($0.utf8))
                }
                let hash = row.contentHash ?? ""
                let approvedBy = try PlanStore.approvedBy(plan: id, hash: hash, db: db)
                var cutover: String?
                var targetCommitted: Int?
                if let progress = try LoadJournal.progress(plan: id, db: db) {
                    let mirrored = progress.committed
                    let batches = progress.batches
                    let outcome = progress.outcome
                    let target = TargetProgress.read(
                        location: progress.target, instance: row.targetInstance, planHash: hash,
                        workspace: workspace.ledger.folder)
                    targetCommitted = target?.committed
                    let committed = target?.committed ?? mirrored
                    let resume = target?.layout.map { $0 == "plan" ? "" : " with --batch-size \($0)" } ?? ""
                    let rollback = SuggestedCommand.text("rollback \(id)", workspace: workspace.path)
                    // A cutover or rollback holding the workspace now is running, not interrupted.
                    let runningNow =
                        outcome == "running" && holder.contains("custmig cutover")
                        ? "cutover running now: \(committed) of \(batches) batches committed (see in progress above)"
                        : outcome == RollbackStage.rollingBack && holder.contains("custmig rollback")
                            ? "rollback running now: \(committed) of \(batches) batches still applied in the target "
                                + "(see in progress above)" : nil
                    cutover =
                        runningNow.map { $0 }
                        ?? (outcome == RollbackStage.rollingBack
                            // The ledger said a rollback began before it touched the target: finishing it is
                            // the way on, whatever the kill left (the target's count says how far it got).
                            ? (committed == 0
                                ? "cutover rolled back in the target; the rollback stopped before recording it: rerun "
                                    + rollback + " to record it"
                                : "rollback interrupted: \(committed) of \(batches) batches still applied in the target; "
                                    + "rerun \(rollback) to finish it (it resumes with batch \(committed))")
                            : outcome.hasPrefix("rolled back") && committed == 0
                                ? "cutover \(outcome); a new cutover of the plan starts at batch 1"
                                : target?.committed == 0 && mirrored > 0
                                    // Batches the target once committed are gone from it: rolled back, by a rollback
                                    // stopped before it wrote the ledger (or a restore outside custmig).
                                    ? "cutover rolled back in the target, while the ledger still mirrors \(mirrored) committed "
                                        + "batches (a rollback stopped after its last batch): rerun "
                                        + rollback + " to record it; a new cutover of the plan starts at batch 1"
                                    : "cutover \(committed) of \(batches) batches committed"
                                        + (target == nil
                                            ? " (as the ledger mirrors it; the target could not be read)"
                                            : target!.committed != mirrored
                                                ? " (the target's count; the ledger's mirror says \(mirrored))" : "")
                                        + (committed < batches
                                            ? (outcome == "running" || target?.committed != mirrored
                                                ? "; interrupted: a rerun of the cutover\(resume) continues at batch \(committed + 1)"
                                                : " (\(outcome))")
                                            : ""))
                }
                return PlanStatus(
                    id: id, status: row.status, target: row.target, mapRun: row.mapRun,
                    contentHash: hash,
                    counts: summary?.counts ?? [:], approvedBy: approvedBy, createdAt: row.createdAt,
                    cutover: cutover, targetCommitted: targetCommitted)
            }
            return status
        }
    }
}

/// What a target's own bookkeeping says of a plan's cutover, read without writing or locking it.
struct TargetProgress {
    var committed: Int
    /// `plan`, or the `--batch-size` the cutover was started with (nil: not recorded).
    var layout: String?

    /// nil when the location is not a readable custmig target, or another instance than the plan's.
    static func read(location: String, instance: String?, planHash: String, workspace: String) -> TargetProgress? {
        guard let target = try? TargetRegistry.open(location, workspace: workspace), target.instance == instance
        else { return nil }
        defer { try? target.close() }
        guard let committed = try? target.committedBatches(planHash: planHash) else { return nil }
        return TargetProgress(committed: committed.count, layout: try? target.batchLayout(planHash: planHash))
    }
}
