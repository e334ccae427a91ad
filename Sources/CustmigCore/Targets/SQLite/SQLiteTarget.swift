import Foundation
import GRDB

/// The SQLite target: a file standing for the cloud ERP's customer master (a sandbox tenant or the
/// staging tables of its import), with its code lists and custmig's bookkeeping (`custmig_` tables).
public final class SQLiteTarget: Target {
    public let path: String
    public let database: DatabaseQueue
    public let instance: String
    public var location: TargetLocation { .sqlite(path: path) }
    public var capabilities: TargetCapabilities { [.transactionalBatches, .rehearsal, .snapshots, .rowFingerprints] }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        return configuration
    }

    /// Creates an empty sandbox target at `path` with `codes` loaded; refuses an existing file.
    @discardableResult
    public static func initialize(path: String, codes: CodeLists) throws -> SQLiteTarget {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CustmigError(
                .usage, code: "TARGET-EXISTS", "\(path) exists already.",
                fix: "choose a new file, or delete it first if it is a sandbox you mean to reset.")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            throw CustmigError(
                .usage, code: "TARGET-FOLDER", "the folder \(folder) does not exist.", fix: "create it first.")
        }
        do {
            let database = try DatabaseQueue(path: path, configuration: configuration())
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try database.write { db in
                try SQLiteSchema.create(
                    db, instance: UUID().uuidString.lowercased(), createdAt: ISO8601DateFormatter().string(from: Date())
                )
                for kind in TargetSchema.codeKinds {
                    for (code, entry) in (codes.entries[kind.name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                        try db.execute(
                            sql: "INSERT INTO \(kind.table) (code, description, detail) VALUES (?, ?, ?)",
                            arguments: [
                                code, entry.description.isEmpty ? nil : entry.description,
                                entry.detail.isEmpty ? nil : entry.detail,
                            ])
                    }
                }
            }
            try database.close()
        } catch let error as DatabaseError {
            throw CustmigError(
                .unreadableInput, code: "TARGET-CREATE", "cannot create \(path): \(error.message ?? "\(error)").")
        }
        return try SQLiteTarget(path: path)
    }

    /// Opens an initialized target; a missing file, a file that is not SQLite, a database without
    /// custmig's schema or with another schema version is refused with the reason and the fix.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw CustmigError(
                .unreadableInput, code: "TARGET-MISSING", "there is no target at \(path).",
                fix:
                    "create a sandbox with custmig target init sqlite:\(path) --codes Samples/target-codes.csv, or check the path."
            )
        }
        let meta: [String: String]
        do {
            database = try DatabaseQueue(path: path, configuration: Self.configuration())
            meta = try database.read { db -> [String: String] in
                guard try db.tableExists("custmig_meta") else { return [:] }
                return Dictionary(
                    try Row.fetchAll(db, sql: "SELECT key, value FROM custmig_meta").map { ($0["key"], $0["value"]) },
                    uniquingKeysWith: { a, _ in a })
            }
        } catch let error as DatabaseError {
            throw CustmigError(
                .unreadableInput, code: "TARGET-UNREADABLE",
                "cannot read \(path) as SQLite: \(error.message ?? "\(error)").",
                fix:
                    "check that it is the target's database file (sqlite3 \(path) .tables) and that it is not locked or damaged."
            )
        }
        guard meta["schema"] == TargetSchema.name else {
            throw CustmigError(
                .usage, code: "TARGET-FOREIGN",
                "\(path) is not a custmig target (it has no custmig_meta schema entry).",
                fix:
                    "point --target at a database made by custmig target init; custmig does not write into foreign schemas."
            )
        }
        let version = meta["schema_version"].flatMap { Int($0) } ?? 0
        guard TargetSchema.readableVersions.contains(version) else {
            throw CustmigError(
                .usage, code: "TARGET-VERSION",
                "\(path) has target schema version \(meta["schema_version"] ?? "?"); this custmig knows version \(TargetSchema.version).",
                fix: "use the custmig version that created it, or initialize a new sandbox.")
        }
        if version < TargetSchema.version {
            // Marked with the new version, an older custmig refuses the target instead of misreading it.
            do {
                try database.write { db in try SQLiteSchema.upgrade(db, from: version) }
            } catch let error as DatabaseError {
                throw CustmigError(
                    .unreadableInput, code: "TARGET-UPGRADE",
                    "cannot upgrade \(path) from target schema version \(version) to \(TargetSchema.version): \(error.message ?? "\(error)").",
                    fix: "make the file writable (or free disk space) and run the command again; nothing was changed.")
            }
        }
        instance = meta["instance"] ?? ""
        fileIdentity = Self.identity(path)
    }

    /// Device and inode of the file as opened: SQLite goes on writing to a file deleted (or replaced)
    /// under it, so every batch "succeeded" into a file nobody could open again, and the end of the
    /// cutover reported a permissions problem.
    private var fileIdentity: (UInt64, UInt64)?

    private static func identity(_ path: String) -> (UInt64, UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Throws `TARGET-GONE` when the file at `path` is no longer the one this target opened.
    func requireSameFile(doing what: String) throws {
        guard let opened = fileIdentity else { return }
        let now = Self.identity(path)
        guard let now, now == opened else {
            throw CustmigError(
                .unreadableInput, code: "TARGET-GONE",
                "the target file \(path) was \(now == nil ? "deleted" : "replaced by another file") while custmig had it "
                    + "open; \(what) was not done (what came before went into the file custmig opened, which is gone).",
                fix: "put the target file back (a copy, or its snapshot from the workspace's snapshots folder) and run "
                    + "the same command again: it resumes after the batches that file holds.")
        }
    }

    /// The database file's size in bytes (0 when it cannot be read).
    public var sizeInBytes: Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    public func close() throws {
        for reader in readerPool { try reader.close() }
        readerPool.removeAll()
        try database.close()
    }

    private var readerPool: [DatabaseQueue] = []

    /// The WAL checkpointer of a cutover (see ``BackgroundCheckpointer``).
    public func loadSession() throws -> any TargetLoadSession { try BackgroundCheckpointer(target: self) }

    /// The page caches of the connection and the readers (64 MB and 8 MB each when full).
    public func releaseMemory() {
        database.releaseMemory()
        for reader in readerPool { reader.releaseMemory() }
    }

    /// Read-only connections for reading in parallel (the target is in WAL mode).
    func readers(_ count: Int) throws -> [DatabaseQueue] {
        while readerPool.count < count {
            readerPool.append(try DatabaseQueue(path: path, configuration: Self.readerConfiguration()))
        }
        return Array(readerPool.prefix(count))
    }

    static func readerConfiguration() -> Configuration {
        var configuration = Self.configuration()
        configuration.readonly = true
        // Readers look rows up by key in chunks: a small page cache each is enough.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -8192") }
        return configuration
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
