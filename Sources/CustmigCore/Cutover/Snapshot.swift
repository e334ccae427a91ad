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

    /// The workspace's folder for snapshot files (mode 0700: they hold personal data).
    static func folder(_ workspace: Workspace) throws -> String {
        let folder = workspace.path + "/snapshots"
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return folder
    }
}
