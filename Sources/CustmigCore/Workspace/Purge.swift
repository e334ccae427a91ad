import Foundation
import GRDB

/// What a purge removed, per map run.
public struct PurgeSummary: Sendable, Codable {
    public var runs: [Int64]
    public var canonicalRecords: Int
    public var findingValues: Int
    public var planImages: Int
    public var snapshots: [String]
    public var undoEntries: Int
    /// Survivors (golden records) of the duplicates runs made from the purged runs.
    public var survivors = 0
    /// Report folders removed (of the purged runs, their duplicates runs and their plans).
    public var reportFolders: [String] = []
    /// The ledger's size before and after it was compacted (deleted values leave no free page behind).
    public var ledgerBytesBefore: Int64 = 0
    public var ledgerBytesAfter: Int64 = 0
}

/// `custmig purge`: after go-live, removes the personal data a workspace keeps for map runs — their
/// canonical records, findings' values and messages (which quote source values), staged rows, the
/// golden records and pair evidence of the duplicates runs made from them, the customer images, names
/// and reasons of plans made from them, their reports, their snapshots, and (with a target) their undo
/// logs — then compacts the ledger (VACUUM: no deleted byte stays on a free page) and records the purge,
/// one audit row per run with that run's counts. Counts, hashes, keys, rules and actions stay, so what
/// was done remains explainable.
public enum PurgeStage {
    /// `evenInterrupted`: purge a run whose plan's cutover stopped halfway too (it can then neither
    /// resume, its images being gone, nor be rolled back from its snapshot).
    public static func run(
        runs requested: [Int64], before: Date?, workspace: Workspace, target: (any Target)?, command: String,
        evenInterrupted: Bool = false, progress: ProgressHandler? = nil
    ) throws -> PurgeSummary {
        let ledger = workspace.ledger
        let runs = try ledger.database.read { db -> [Int64] in
            var ids = requested
            if let before {
                ids += try RunStore.mapRuns(startedBefore: before, db: db)
            }
            for id in requested where try RunStore.run(id, db: db)?.stage != "map" {
                throw CustmigError(
                    .usage, code: "PURGE-RUN", "run \(id) is not a map run of this workspace.",
                    fix: "custmig status lists the runs.")
            }
            return Array(Set(ids)).sorted()
        }
        if !evenInterrupted {
            let open = try ledger.database.read { db in try LoadJournal.unfinished(db: db) }
                .filter { runs.contains($0.mapRun) }
            if let plan = open.first {
                let id = plan.plan
                throw CustmigError(
                    .usage, code: "PURGE-CUTOVER-OPEN",
                    "the cutover of plan \(id) (map run \(plan.mapRun)) stopped after \(plan.committed) of \(plan.batches) batches; "
                        + "purging its run would leave it unable to resume or to roll back from its snapshot; nothing was purged.",
                    fix:
                        "finish it (\(SuggestedCommand.text("cutover \(id)", workspace: workspace.path))) or roll it back "
                        + "(\(SuggestedCommand.text("rollback \(id)", workspace: workspace.path))) first, or pass --even-interrupted."
                )
            }
        }
        var summary = PurgeSummary(
            runs: runs, canonicalRecords: 0, findingValues: 0, planImages: 0, snapshots: [], undoEntries: 0)
        summary.ledgerBytesBefore = WorkspaceUsage.fileSize(ledger.path)
        for (done, run) in runs.enumerated() {
            if done > 0 {
                try Interruption.check(
                    kept:
                        "map runs \(runs[..<done].map(String.init).joined(separator: ", ")) purged, each with its audit "
                        + "row; \(runs[done...].map(String.init).joined(separator: ", ")) not yet, and the ledger is not "
                        + "compacted (the purged values stay on its free pages until it is)",
                    resume: "run `\(command)` again; it purges the rest and compacts the ledger (purging a run again "
                        + "finds nothing left to remove).")
            }
            progress?(StageProgress("purge map run \(run)", done: Int64(done), total: Int64(runs.count), unit: .steps))
            let plans = try ledger.database.read { db in
                try PlanStore.plans(mapRun: run, db: db).compactMap { plan in
                    plan.id.map { (id: $0, hash: plan.contentHash) }
                }
            }
            let duplicatesRuns = try ledger.database.read { db in
                try RunStore.duplicates(after: run, db: db).filter { duplicates in
                    duplicates.summary.flatMap {
                        try? JSONDecoder().decode(DuplicatesSummary.self, from: Data($0.utf8))
                    }?.mapRun == run
                }.compactMap(\.id)
            }
            var snapshots: [String] = []
            var counts = (records: 0, findings: 0, images: 0, survivors: 0)
            try ledger.database.write { db in
                counts.records = try CanonicalStore.delete(run: run, db: db)
                // Messages quote source values ("\"Sverige\" is not a country"): the rule and field stay.
                counts.findings = try FindingStore.forgetSourceValues(run: run, db: db)
                for duplicatesRun in duplicatesRuns {
                    counts.survivors += try DuplicateStore.deleteSurvivors(run: duplicatesRun, db: db)
                    try DuplicateStore.forgetEvidence(run: duplicatesRun, db: db)
                }
                try StagedRowStore.delete(run: run, db: db)
                try UniqueCheck.forget(run: run, db: db)
                for plan in plans {
                    // Reasons quote findings' messages, and with them source values.
                    counts.images += try PlanStore.forgetSourceValues(plan: plan.id, db: db)
                    // A target's refusal may quote the value it refused.
                    try LoadJournal.forgetRefusalMessages(plan: plan.id, db: db)
                    if let hash = plan.hash {
                        snapshots += try Snapshot.recordedPaths(planHash: hash, db: db)
                    }
                }
                // The copies a snapshot rollback made of the target before restoring hold the same data.
                let folder = workspace.path + "/snapshots"
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                for plan in plans {
                    let prefix = "before-rollback-plan-\(plan.id)-"
                    snapshots += names.filter { $0.hasPrefix(prefix) }.sorted().map { folder + "/" + $0 }
                }
                // This run's own counts (the audit row added every run's counts together before).
                let removed =
                    "{\"canonical_records\":\(counts.records),\"findings\":\(counts.findings),\"plans\":\(plans.count),"
                    + "\"plan_actions\":\(counts.images),\"survivors\":\(counts.survivors),\"snapshots\":\(snapshots.count)}"
                try RunStore.recordPurge(run: run, removed: removed, command: command, db: db)
            }
            summary.canonicalRecords += counts.records
            summary.findingValues += counts.findings
            summary.planImages += counts.images
            summary.survivors += counts.survivors
            let reports =
                ([run] + duplicatesRuns).map { "\(workspace.path)/reports/run-\($0)" }
                + plans.map { "\(workspace.path)/reports/plan-\($0.id)" }
            for folder in reports where FileManager.default.fileExists(atPath: folder) {
                try FileManager.default.removeItem(atPath: folder)
                summary.reportFolders.append(folder)
            }
            let folder = Snapshot.path(workspace)
            for path in snapshots.map({ Snapshot.resolved($0, folder: folder) })
            where FileManager.default.fileExists(atPath: path) {
                try FileManager.default.removeItem(atPath: path)
                summary.snapshots.append(path)
            }
            if let target {
                summary.undoEntries += try target.forgetUndo(
                    planHashes: plans.compactMap(\.hash))
                // Snapshots a target keeps inside itself (a PostgreSQL schema per plan and per rollback).
                for plan in plans {
                    guard let hash = plan.hash else { continue }
                    summary.snapshots += try target.dropSnapshots(
                        planHash: hash, safetyPrefix: "before-rollback-plan-\(plan.id)-")
                }
            }
            FaultPoint.reach("purge.run-purged")
        }
        // Deleted rows stay on free pages (and in the WAL) until the file is rewritten.
        progress?(
            StageProgress(
                "compacting the ledger (VACUUM)", done: Int64(runs.count), total: Int64(runs.count), unit: .steps))
        try ledger.database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            try db.execute(sql: "VACUUM")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        summary.ledgerBytesAfter = WorkspaceUsage.fileSize(ledger.path)
        return summary
    }
}
