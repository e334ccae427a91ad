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
}

/// `custmig purge`: after go-live, removes the personal data a workspace keeps for map runs — their
/// canonical records, the source values quoted in findings, staged rows, the customer images of plans
/// made from them, their snapshots, and (with a target) their undo logs — and records the purge. Counts,
/// hashes, plans' actions and reasons stay, so what was done remains explainable.
public enum PurgeStage {
    /// `evenInterrupted`: purge a run whose plan's cutover stopped halfway too (it can then neither
    /// resume, its images being gone, nor be rolled back from its snapshot).
    public static func run(
        runs requested: [Int64], before: Date?, workspace: Workspace, target: (any Target)?, command: String,
        evenInterrupted: Bool = false
    ) throws -> PurgeSummary {
        let ledger = workspace.ledger
        let runs = try ledger.database.read { db -> [Int64] in
            var ids = requested
            if let before {
                ids += try Int64.fetchAll(
                    db, sql: "SELECT id FROM run WHERE stage = 'map' AND started_at < ?", arguments: [before])
            }
            for id in requested
            where try Int64.fetchOne(db, sql: "SELECT id FROM run WHERE id = ? AND stage = 'map'", arguments: [id])
                == nil
            {
                throw CustmigError(
                    .usage, code: "PURGE-RUN", "run \(id) is not a map run of this workspace.",
                    fix: "custmig status lists the runs.")
            }
            return Array(Set(ids)).sorted()
        }
        if !evenInterrupted {
            let open = try ledger.database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT p.id, p.map_run, c.committed, c.batches FROM plan p JOIN cutover_progress c ON c.plan_id = p.id
                        WHERE c.committed < c.batches AND c.outcome NOT LIKE 'rolled back%' ORDER BY p.id
                        """)
            }.filter { runs.contains($0["map_run"]) }
            if let plan = open.first {
                let id: Int64 = plan["id"]
                throw CustmigError(
                    .usage, code: "PURGE-CUTOVER-OPEN",
                    "the cutover of plan \(id) (map run \(plan["map_run"] as Int64)) stopped after \(plan["committed"] as Int) of \(plan["batches"] as Int) batches; "
                        + "purging its run would leave it unable to resume or to roll back from its snapshot; nothing was purged.",
                    fix:
                        "finish it (\(SuggestedCommand.text("cutover \(id)", workspace: workspace.path))) or roll it back "
                        + "(\(SuggestedCommand.text("rollback \(id)", workspace: workspace.path))) first, or pass --even-interrupted."
                )
            }
        }
        var summary = PurgeSummary(
            runs: runs, canonicalRecords: 0, findingValues: 0, planImages: 0, snapshots: [], undoEntries: 0)
        for run in runs {
            let plans = try ledger.database.read { db in
                try Row.fetchAll(db, sql: "SELECT id, content_hash FROM plan WHERE map_run = ?", arguments: [run])
            }
            var snapshots: [String] = []
            try ledger.database.write { db in
                try db.execute(sql: "DELETE FROM canonical_record WHERE run_id = ?", arguments: [run])
                summary.canonicalRecords += db.changesCount
                try db.execute(
                    sql: "UPDATE finding SET value = NULL WHERE run_id = ? AND value IS NOT NULL", arguments: [run])
                summary.findingValues += db.changesCount
                try db.execute(sql: "DELETE FROM staged_row WHERE run_id = ?", arguments: [run])
                try db.execute(sql: "DELETE FROM unique_value WHERE run_id = ?", arguments: [run])
                for plan in plans {
                    try db.execute(
                        sql:
                            "UPDATE plan_action SET before_image = NULL, image = NULL, changes = NULL, name = NULL WHERE plan_id = ?",
                        arguments: [plan["id"]])
                    summary.planImages += db.changesCount
                    if let hash: String = plan["content_hash"] {
                        snapshots += try String.fetchAll(
                            db, sql: "SELECT path FROM snapshot WHERE plan_hash = ?", arguments: [hash])
                    }
                }
                // The copies a snapshot rollback made of the target before restoring hold the same data.
                let folder = workspace.path + "/snapshots"
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                for plan in plans {
                    let prefix = "before-rollback-plan-\(plan["id"] as Int64)-"
                    snapshots += names.filter { $0.hasPrefix(prefix) }.sorted().map { folder + "/" + $0 }
                }
                let removed =
                    "{\"canonical_records\":\(summary.canonicalRecords),\"plans\":\(plans.count),\"snapshots\":\(snapshots.count)}"
                try db.execute(
                    sql: "INSERT INTO purge (run_id, purged_at, removed, command) VALUES (?, ?, ?, ?)",
                    arguments: [run, Date(), removed, command])
            }
            let folder = Snapshot.path(workspace)
            for path in snapshots.map({ Snapshot.resolved($0, folder: folder) })
            where FileManager.default.fileExists(atPath: path) {
                try FileManager.default.removeItem(atPath: path)
                summary.snapshots.append(path)
            }
            if let target {
                summary.undoEntries += try target.forgetUndo(
                    planHashes: plans.compactMap { $0["content_hash"] as String? })
                // Snapshots a target keeps inside itself (a PostgreSQL schema per plan and per rollback).
                for plan in plans {
                    guard let hash: String = plan["content_hash"] else { continue }
                    summary.snapshots += try target.dropSnapshots(
                        planHash: hash, safetyPrefix: "before-rollback-plan-\(plan["id"] as Int64)-")
                }
            }
        }
        return summary
    }
}
