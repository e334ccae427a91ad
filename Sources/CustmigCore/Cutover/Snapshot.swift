import Foundation
import GRDB

/// A consistent copy of the target taken before a cutover's first batch, where the target can take
/// one (``TargetCapabilities/snapshots``), recorded in the target's bookkeeping and in the ledger.
enum Snapshot {
    /// Takes the snapshot unless one was recorded for this plan; a resumed cutover (batches already
    /// committed) never takes one, since a half-loaded target is not a snapshot. A target without
    /// snapshots gets none (nil): its rollback is surgical.
    static func takeOnce(
        target: any Target, planHash: String, plan: Int64, workspace: Workspace, hasCheckpoints: Bool
    ) throws -> String? {
        guard target.capabilities.contains(.snapshots) else { return nil }
        if let recorded = try target.snapshot(planHash: planHash) { return recorded.location }
        guard !hasCheckpoints else { return nil }
        let folder = try folder(workspace)
        let snapshot = try target.takeSnapshot(
            planHash: planHash, name: "plan-\(plan)-\(planHash.prefix(12))", folder: folder)
        // Recorded in the ledger too (which a restore of the snapshot does not roll back).
        try workspace.ledger.database.write { db in
            try db.execute(
                sql:
                    "INSERT OR REPLACE INTO snapshot (plan_hash, target_instance, path, sha256, manifest, taken_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    planHash, target.instance, snapshot.location, snapshot.sha256, snapshot.manifest, Date(),
                ])
        }
        return snapshot.location
    }

    /// The snapshot the ledger recorded for a plan on a target (`snapshot`), if any.
    static func recorded(planHash: String, targetInstance: String, db: Database) throws -> TargetSnapshot? {
        try Row.fetchOne(
            db, sql: "SELECT path, sha256, manifest FROM snapshot WHERE plan_hash = ? AND target_instance = ?",
            arguments: [planHash, targetInstance]
        ).map { TargetSnapshot(location: $0[0], sha256: $0[1], manifest: $0[2]) }
    }

    /// Where the ledger recorded a plan's snapshots (on any target).
    static func recordedPaths(planHash: String, db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT path FROM snapshot WHERE plan_hash = ?", arguments: [planHash])
    }

    /// The workspace's folder for snapshot files (mode 0700: they hold personal data), as an absolute
    /// path: the target and the ledger record where a snapshot is, and a later command may run from
    /// another folder.
    static func folder(_ workspace: Workspace) throws -> String {
        let folder = path(workspace)
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return folder
    }

    /// The snapshot folder's absolute path, without creating it.
    static func path(_ workspace: Workspace) -> String {
        URL(fileURLWithPath: workspace.path + "/snapshots").standardizedFileURL.path
    }

    /// Where a recorded snapshot file is now: as recorded when it is there, else — a path recorded
    /// relative to the folder an older custmig ran in — the file of that name in `folder`.
    static func resolved(_ recorded: String, folder: String) -> String {
        if FileManager.default.fileExists(atPath: recorded) || recorded.hasPrefix("/") { return recorded }
        let moved = folder + "/" + (recorded as NSString).lastPathComponent
        return FileManager.default.fileExists(atPath: moved) ? moved : recorded
    }
}
