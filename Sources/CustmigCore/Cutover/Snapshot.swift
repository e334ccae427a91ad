import Foundation
import GRDB

/// A consistent copy of the target taken before a cutover's first batch (SQLite online backup),
/// with its SHA-256 and row counts in a manifest, recorded in the target's bookkeeping.
enum Snapshot {
    /// Takes the snapshot unless one was recorded for this plan; a resumed cutover (batches already
    /// committed) never takes one, since a half-loaded target is not a snapshot.
    static func takeOnce(
        target: SQLiteTarget, planHash: String, plan: Int64, workspace: Workspace, hasCheckpoints: Bool
    ) throws -> String? {
        if let path = try target.database.read({ db in
            try String.fetchOne(db, sql: "SELECT path FROM custmig_snapshot WHERE plan_hash = ?", arguments: [planHash])
        }) {
            return path
        }
        guard !hasCheckpoints else { return nil }
        let folder = workspace.path + "/snapshots"
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        removePartials(in: folder)
        let path = "\(folder)/plan-\(plan)-\(planHash.prefix(12)).sqlite"
        var counts: [String: Int] = [:]
        try copy(target.database, to: path) { copy in
            try copy.read { db in
                for table in try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                {
                    counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table)\"")
                }
            }
        }
        let digest = try FileDigest.sha256(path: path)
        let manifest = String(decoding: try JSONEncoder().encode(counts), as: UTF8.self)
        // Recorded in the target (whose bookkeeping is authoritative) and in the ledger (which a
        // restore of the snapshot does not roll back).
        try workspace.ledger.database.write { db in
            try db.execute(
                sql:
                    "INSERT OR REPLACE INTO snapshot (plan_hash, target_instance, path, sha256, manifest, taken_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [planHash, target.instance, path, digest, manifest, Date()])
        }
        try target.database.write { db in
            try db.execute(
                sql:
                    "INSERT INTO custmig_snapshot (plan_hash, path, sha256, manifest, taken_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [planHash, path, digest, manifest, ISO8601DateFormatter().string(from: Date())])
        }
        return path
    }

    /// Copies a database into one self-contained file at `path`, or leaves nothing there: the copy is
    /// written as `path.partial` and renamed when complete, so a process killed while copying leaves
    /// only a partial file, which the next copy (or ``removePartials(in:)``) deletes.
    static func copy(
        _ source: DatabaseQueue, to path: String, inspect: (DatabaseQueue) throws -> Void = { _ in }
    ) throws {
        let partial = path + ".partial"
        for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: partial + suffix) }
        PrivateFile.prepare(partial)
        let copy = try DatabaseQueue(path: partial)
        try source.backup(to: copy)
        // One self-contained file (the target is in WAL mode, and a backup copies that setting).
        try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        try inspect(copy)
        try copy.close()
        guard rename(partial, path) == 0 else {
            throw CustmigError(
                .unreadableInput, code: "SNAPSHOT-WRITE", "cannot write the snapshot \(path).",
                fix: "check the workspace's disk.")
        }
    }

    /// Deletes what killed copies left in `folder` (the caller holds the workspace's lock).
    static func removePartials(in folder: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.contains(".partial") {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }

}
