import Foundation
import GRDB

/// Where a workspace's disk goes, so an operator sees what ten rehearsals cost before the disk is full:
/// the ledger (and within it the canonical records and the plans), the reports, and the snapshot files
/// (the cutovers' snapshots and the safety copies each snapshot rollback leaves).
public struct WorkspaceUsage: Sendable, Codable {
    /// A file in the snapshots folder.
    public struct SnapshotFile: Sendable, Codable {
        public var path: String
        public var bytes: Int64
        /// True for the copy a snapshot rollback takes of the target before restoring (kept so the
        /// rollback can itself be undone; `purge --keep-snapshots N` removes all but the newest N).
        public var safetyCopy: Bool
        public var modified: Date
    }

    /// The ledger file with its write-ahead log.
    public var ledger: Int64
    /// Within the ledger: the canonical records and the plans' rows (tables with their indexes); nil when
    /// this SQLite cannot measure tables (no dbstat).
    public var canonicalRecords: Int64?
    public var plans: Int64?
    public var reports: Int64
    /// Report folders of superseded plans (`purge --reports` removes them).
    public var supersededReports: Int64
    public var snapshots: [SnapshotFile]

    public var total: Int64 { ledger + reports + snapshots.reduce(0) { $0 + $1.bytes } }

    /// The prefix of a safety copy's name (the target adds its own extension).
    static let safetyPrefix = "before-rollback-plan-"

    public static func read(_ workspace: Workspace) throws -> WorkspaceUsage {
        let ledgerPath = workspace.ledger.path
        let ledger = [ledgerPath, ledgerPath + "-wal"].reduce(Int64(0)) { $0 + fileSize($1) }
        var canonical: Int64?
        var plans: Int64?
        var superseded: [Int64] = []
        try workspace.ledger.database.read { db in
            superseded = try PlanStore.supersededPlans(db: db)
            // dbstat walks the pages of the two largest tables only; a SQLite built without it measures nothing.
            guard
                let sizes = try? Row.fetchAll(
                    db,
                    sql: """
                        SELECT CASE WHEN name LIKE ? THEN 'plans' ELSE 'canonical' END AS part,
                        SUM(pgsize) AS bytes FROM dbstat
                        WHERE name LIKE ? OR name LIKE ? GROUP BY part
                        """,
                    arguments: [
                        PlanStore.actionTable + "%", PlanStore.actionTable + "%", CanonicalStore.table + "%",
                    ])
            else { return }
            canonical = 0
            plans = 0
            for row in sizes {
                if row["part"] == "plans" { plans = row["bytes"] } else { canonical = row["bytes"] }
            }
        }
        let reports = workspace.path + "/reports"
        let supersededBytes = superseded.reduce(Int64(0)) { $0 + treeSize(reports + "/plan-\($1)") }
        let folder = Snapshot.path(workspace)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let snapshots = names.sorted().map { name -> SnapshotFile in
            let path = folder + "/" + name
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            return SnapshotFile(
                path: path, bytes: treeSize(path), safetyCopy: name.hasPrefix(safetyPrefix),
                modified: attributes?[.modificationDate] as? Date ?? .distantPast)
        }
        return WorkspaceUsage(
            ledger: ledger, canonicalRecords: canonical, plans: plans, reports: treeSize(reports),
            supersededReports: supersededBytes, snapshots: snapshots)
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// A file's size, or the sum of the files under a folder.
    static func treeSize(_ path: String) -> Int64 {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return 0 }
        guard isFolder.boolValue else { return fileSize(path) }
        let entries = FileManager.default.enumerator(atPath: path)
        var total: Int64 = 0
        while let entry = entries?.nextObject() as? String { total += fileSize(path + "/" + entry) }
        return total
    }
}
