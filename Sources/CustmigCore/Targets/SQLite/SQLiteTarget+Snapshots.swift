import Foundation
import GRDB

/// Snapshots of the SQLite target: a self-contained copy of the file (online backup) with its SHA-256
/// and the row count of every table, restored by backing the copy up into the target.
extension SQLiteTarget {
    public func snapshot(planHash: String) throws -> TargetSnapshot? {
        try database.read { db in
            try Row.fetchOne(
                db, sql: "SELECT path, sha256, manifest FROM custmig_snapshot WHERE plan_hash = ?",
                arguments: [planHash]
            ).map { TargetSnapshot(location: $0["path"], sha256: $0["sha256"], manifest: $0["manifest"]) }
        }
    }

    public func takeSnapshot(planHash: String, name: String, folder: String) throws -> TargetSnapshot {
        Self.removePartials(in: folder)
        let path = "\(folder)/\(name).sqlite"
        var counts: [String: Int] = [:]
        try Self.copy(database, to: path) { copy in
            try copy.read { db in
                for table in try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                {
                    counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table)\"")
                }
            }
        }
        let snapshot = TargetSnapshot(
            location: path, sha256: try FileDigest.sha256(path: path),
            manifest: String(decoding: try JSONEncoder().encode(counts), as: UTF8.self))
        try database.write { db in
            try db.execute(
                sql:
                    "INSERT INTO custmig_snapshot (plan_hash, path, sha256, manifest, taken_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    planHash, path, snapshot.sha256, snapshot.manifest, ISO8601DateFormatter().string(from: Date()),
                ])
        }
        return snapshot
    }

    public func restore(_ snapshot: TargetSnapshot, safetyName: String, folder: String) throws -> String {
        let path = Snapshot.resolved(snapshot.location, folder: folder)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CustmigError(
                .unreadableInput, code: "ROLLBACK-SNAPSHOT-MISSING", "the snapshot \(path) is missing.",
                fix: "restore it from the workspace's backup, or roll back with --mode surgical.")
        }
        let digest = try FileDigest.sha256(path: path)
        guard digest == snapshot.sha256 else {
            throw CustmigError(
                .unreadableInput, code: "ROLLBACK-SNAPSHOT-CORRUPT",
                "the snapshot \(path) does not match its checksum (\(digest.prefix(12))… instead of \(snapshot.sha256.prefix(12))…); nothing was restored.",
                fix: "restore the snapshot file from a backup, or roll back with --mode surgical.")
        }
        // A rollback killed while copying the target aside left a partial copy (at 1M customers, 2.5 GB).
        Self.removePartials(in: folder)
        let safety = "\(folder)/\(safetyName).sqlite"
        try Self.copy(database, to: safety)
        FaultPoint.reach("rollback.safety-copied")
        // The last safe point: the restore below is one step that cannot stop half way.
        if Interruption.requested { try? FileManager.default.removeItem(atPath: safety) }
        try Interruption.check(kept: RollbackStage.nothingRestored, resume: "")
        var configuration = Configuration()
        configuration.readonly = true
        let source = try DatabaseQueue(path: path, configuration: configuration)
        try source.backup(to: database)
        try source.close()
        let manifest = (try? JSONDecoder().decode([String: Int].self, from: Data(snapshot.manifest.utf8))) ?? [:]
        try database.read { db in
            for (table, count) in manifest where table != "custmig_snapshot" {
                let now = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table)\"") ?? -1
                guard now == count else {
                    throw CustmigError(
                        .internalFailure, code: "ROLLBACK-VERIFY",
                        "after the restore \(table) has \(now) rows, the snapshot's manifest says \(count).",
                        fix: "restore \(safety) (the target before this rollback) and report this.")
                }
            }
        }
        return safety
    }

    /// Snapshot files are deleted by the purge; nothing is kept inside the target.
    public func dropSnapshots(planHash: String, safetyPrefix: String) throws -> [String] { [] }

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
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.contains(".partial")
        {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }
}
