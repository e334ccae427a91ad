import Foundation
import GRDB

/// What a cutover did.
public struct CutoverSummary: Sendable, Codable {
    public var plan: Int64
    public var contentHash: String
    /// `done`, `already applied` (a no-op), or `stopped on stale rows`.
    public var outcome: String
    public var batches: Int
    public var batchesApplied: Int
    /// Batches committed by an earlier, interrupted run of the same plan.
    public var batchesResumed: Int
    public var actionsApplied: Int
    public var stale: [StaleRow]
    public var conflictsNotApplied: Int
    public var unapprovedAllowed: Bool
    public var snapshot: String?
    public var elapsedSeconds: Double
    /// Customers the target refused while the rest of their batch landed (targets without
    /// transactions): rejects with the target's message, kept in the ledger (`cutover_refusal`).
    public var refused: [CutoverRefusal] = []
}

/// A customer the target refused at the cutover, with its message.
public struct CutoverRefusal: Sendable, Codable, Hashable {
    public var batch: Int
    public var canonicalKey: String
    public var customerId: String
    public var message: String
}

/// Where a running cutover stands, after each committed batch.
public struct CutoverProgress: Sendable {
    /// The batch just committed (1-based) and how many the plan has.
    public var batch: Int
    public var batches: Int
    /// What this run (not an earlier, interrupted one) has committed, and since when.
    public var batchesThisRun: Int
    public var customersThisRun: Int
    public var seconds: Double

    /// Customers per second over this run.
    public var rate: Double { seconds > 0 ? Double(customersThisRun) / seconds : 0 }

    /// Seconds left at this run's pace per batch.
    public var secondsLeft: Int {
        batchesThisRun > 0 ? Int(seconds / Double(batchesThisRun) * Double(batches - batch)) : 0
    }
}

public struct CutoverOptions: Sendable {
    public var allowUnapproved = false
    public var skipStale = false
    /// Customers per batch (and checkpoint); nil: the plan's own batches, as the dry run cut them.
    public var batchSize: Int?
    public var command: String
    public init(command: String) { self.command = command }
}

extension CutoverStage {
    /// Keeps what the target refused, so a resumed cutover, the reconciliation and `status` know it.
    static func recordRefusals(_ refused: [RefusedAction], plan: Int64, ledger: Ledger) throws {
        guard !refused.isEmpty else { return }
        try ledger.database.write { db in try LoadJournal.addRefusals(refused, plan: plan, db: db) }
    }

    /// Every customer the target refused at a plan's cutover (this run's and earlier, interrupted ones').
    public static func refusals(plan: Int64, ledger: Ledger) throws -> [CutoverRefusal] {
        try ledger.database.read { db in try LoadJournal.refusals(plan: plan, db: db) }
    }

    static func mirror(
        plan: Int64, target: any Target, batches: Int, committed: Int, outcome: String, ledger: Ledger
    ) throws {
        try ledger.database.write { db in
            try LoadJournal.mirror(
                plan: plan, target: target.location.description, batches: batches, committed: committed,
                outcome: outcome, db: db)
        }
    }
}

/// `custmig cutover PLAN`: applies an approved plan in its batches, each in one target transaction
/// with its checkpoint, after a snapshot of the target taken once before the first batch. Killed at any
/// point, the same command resumes after the last committed batch (the target's checkpoints are
/// authoritative); run again when done, it is a no-op that says so.
public enum CutoverStage {
    public static func run(
        plan reference: String, workspace: Workspace, target: any Target, options: CutoverOptions,
        progress: (CutoverProgress) -> Void = { _ in }
    ) async throws -> CutoverSummary {
        let started = Date()
        let ledger = workspace.ledger
        let plan = try PlanStore.resolve(reference, ledger: ledger)
        let stored = try await ledger.database.read { db in try PlanStore.plan(plan, db: db) }!
        let hash = stored.contentHash ?? ""
        guard stored.status == "current" else {
            throw CustmigError(
                .stalePlan, code: "CUTOVER-SUPERSEDED",
                "plan \(plan) was superseded by plan \(stored.supersededBy ?? 0).",
                fix: "review and approve the newer plan, then cut over that one.")
        }
        guard stored.targetInstance == target.instance else {
            throw CustmigError(
                .stalePlan, code: "CUTOVER-OTHER-TARGET",
                "plan \(plan) was made against \(stored.target), not \(target.location).",
                fix: "cut over against the target the plan was made for, or dry-run against this one.")
        }
        // The records' hashes are compared on a child task of their own while the target is locked and read.
        let reader = try ledger.reader()
        async let recordCheck = Self.changedRecords(plan: plan, reader: reader)
        let approvedBy = try PlanStore.approval(plan: plan, ledger: ledger)
        guard approvedBy != nil || options.allowUnapproved else {
            throw CustmigError(
                .stalePlan, code: "CUTOVER-UNAPPROVED", "plan \(plan) is not approved.",
                fix:
                    "have the business owner approve it ("
                    + SuggestedCommand.text("approve \(plan) --by \"NAME\"", workspace: workspace.path)
                    + "), or pass --allow-unapproved for a rehearsal (recorded)."
            )
        }
        if let size = options.batchSize, !CutoverBatches.sizes.contains(size) {
            throw CustmigError(
                .usage, code: "CUTOVER-BATCH-SIZE", "--batch-size \(size) is out of range.",
                fix:
                    "give a number of customers per batch from 1 to 1,000,000 (or leave it out for the plan's batches)."
            )
        }
        // Before anything is read from the target: another workspace's cutover or rollback must not be
        // in the middle of writing it (nor start while this one does).
        let lock = try target.lockForWriting(
            holder: TargetWriteLock.holder(workspace: workspace.path, command: options.command))
        defer { withExtendedLifetime(lock) {} }
        let committed = try target.committedBatches(planHash: hash)
        // A run killed after a batch landed and before the ledger kept what the target refused in it.
        if !committed.isEmpty { try recordRefusals(try target.refusals(planHash: hash), plan: plan, ledger: ledger) }
        let recordedLayout = try target.batchLayout(planHash: hash)
        let layout = try CutoverBatches(plan: plan, size: options.batchSize, ledger: ledger)
        if !committed.isEmpty, (recordedLayout ?? "plan") != layout.recorded {
            throw CustmigError(
                .usage, code: "CUTOVER-BATCH-SIZE",
                "plan \(plan) was cut over into this target in \(CutoverBatches.describe(recordedLayout ?? "plan")), "
                    + "and \(committed.count) of them are committed; this run asks for \(CutoverBatches.describe(layout.recorded)).",
                fix: "resume with the same batches: "
                    + (recordedLayout.map { $0 == "plan" ? "leave --batch-size out" : "--batch-size \($0)" }
                        ?? "leave --batch-size out")
                    + ".")
        }
        let batches = layout.count
        let conflicts = try await ledger.database.read { db in
            try PlanStore.count(plan: plan, action: .conflict, db: db)
        }
        var summary = CutoverSummary(
            plan: plan, contentHash: hash, outcome: "done", batches: batches, batchesApplied: 0,
            batchesResumed: committed.count,
            actionsApplied: 0, stale: [], conflictsNotApplied: conflicts, unapprovedAllowed: approvedBy == nil,
            snapshot: nil,
            elapsedSeconds: 0)
        if committed.count == batches {
            summary.outcome = "already applied"
            // The ledger catches up with a run killed after the target committed its last batch.
            try mirror(
                plan: plan, target: target, batches: batches, committed: batches, outcome: "done", ledger: ledger)
            summary.refused = try refusals(plan: plan, ledger: ledger)
            return summary
        }
        // Inserts refer to their canonical records: one gone or changed since the dry run makes the plan
        // stale before the target is touched (each rebuilt image is checked again as it is read; a plan
        // already applied stays a no-op, records purged or not).
        let changed = try await recordCheck
        if changed.count > 0 {
            throw CustmigError(
                .stalePlan, code: "PLAN-RECORD-CHANGED",
                "plan \(plan) loads \(changed.count) customer(s) from canonical records that are gone or changed since the dry run "
                    + "(legacy keys \(changed.first.joined(separator: ", "))\(changed.count > changed.first.count ? ", …" : "")).",
                fix:
                    "run custmig dry-run again: it plans from the records as they are now; then have the new plan approved."
            )
        }
        if approvedBy == nil {
            try await ledger.database.write { db in
                try PlanStore.recordApproval(
                    plan: plan, hash: hash, by: "(unapproved: --allow-unapproved)", note: options.command, db: db)
            }
        }
        // The ledger says a cutover is under way before the target changes (the snapshot, the first batch),
        // so `status` after a kill anywhere reads the target's count and names the batch a rerun starts at.
        try mirror(
            plan: plan, target: target, batches: batches, committed: committed.count, outcome: "running", ledger: ledger
        )
        // The target's load lock (where it has one) before the snapshot, so two cutovers never interleave.
        let session = try target.loadSession()
        defer { try? session.finish() }
        summary.snapshot = try Snapshot.takeOnce(
            target: target, planHash: hash, plan: plan, workspace: workspace, hasCheckpoints: !committed.isEmpty)
        FaultPoint.reach("cutover.snapshot-taken")
        if committed.isEmpty {
            // After the snapshot (restoring it forgets the layout too), before the first batch.
            try target.recordBatchLayout(planHash: hash, layout: layout.recorded)
        }
        let pending = (0..<batches).filter { !committed.contains($0) }
        let database = ledger.database
        // The next batch's actions are read on a child task while this one is applied.
        var toRead = pending.makeIterator()
        var position = -1
        do {
            try await ReadAhead.forEach(read: {
                try toRead.next().map { ($0, try layout.actions(plan: plan, batch: $0, database: database)) }
            }) { (batch, actions) in
                position += 1
                session.willApply(position: position)
                do {
                    let result = try target.apply(
                        batch: batch, actions: actions, planHash: hash, skipStale: options.skipStale)
                    session.committed(position: position)
                    FaultPoint.reach("cutover.batch-committed")
                    summary.actionsApplied += result.applied
                    summary.stale += result.stale
                    try recordRefusals(result.refused, plan: plan, ledger: ledger)
                } catch let stale as StaleBatch {
                    summary.stale += stale.stale
                    summary.outcome = "stopped on stale rows"
                    throw StoppedOnStaleRows()
                } catch let refused as RefusedAction {
                    throw CustmigError(
                        .stalePlan, code: "CUTOVER-REFUSED",
                        "batch \(batch + 1) of plan \(plan) was refused at customer \(refused.canonicalKey) (\(refused.customerId)): \(refused.message); nothing of the batch was applied.",
                        fix: "fix the cause and run the same command again: it resumes at batch \(batch + 1).")
                }
                summary.batchesApplied += 1
                try mirror(
                    plan: plan, target: target, batches: batches,
                    committed: summary.batchesResumed + summary.batchesApplied, outcome: "running", ledger: ledger)
                FaultPoint.reach("cutover.batch-recorded")
                progress(
                    CutoverProgress(
                        batch: batch + 1, batches: batches, batchesThisRun: summary.batchesApplied,
                        customersThisRun: summary.actionsApplied, seconds: Date().timeIntervalSince(started)))
                let committed = summary.batchesResumed + summary.batchesApplied
                if committed < batches {
                    try Interruption.check(
                        kept: "\(committed) of \(batches) batches of plan \(plan) are committed in the target",
                        resume: "run `\(options.command)` again; it resumes at the next batch.")
                }
            }
        } catch is StoppedOnStaleRows {
            // The batch with stale rows was not applied; the batches after it are not read.
        }
        try mirror(
            plan: plan, target: target, batches: batches, committed: summary.batchesResumed + summary.batchesApplied,
            outcome: summary.outcome, ledger: ledger)
        summary.refused = try refusals(plan: plan, ledger: ledger)
        summary.elapsedSeconds = Date().timeIntervalSince(started)
        return summary
    }

    /// The batches of a plan stop at a batch with stale rows (``StaleBatch``): how the loop is left.
    private struct StoppedOnStaleRows: Error {}

    private static func changedRecords(plan: Int64, reader: DatabasePool) throws -> (count: Int, first: [String]) {
        try reader.read { db in try PlanRecords.changedRecords(plan: plan, db: db) }
    }
}
