import Foundation
import GRDB

/// The dry run's replay of a plan: in the target (rolled back) or on a scratch copy of it.
extension SQLiteTarget {
    /// Replays batches in one transaction with a savepoint per batch and rolls everything back: the
    /// dry run's fidelity check. A refused action is taken out and its batch replayed without it.
    public func rehearse(
        batchCount: Int, copyFolder: String?, batch: (Int) throws -> [TargetAction]
    ) throws -> [RefusedAction] {
        if let copyFolder { return try rehearseOnCopy(in: copyFolder, batchCount: batchCount, batch: batch) }
        return try rehearseInPlace(batchCount: batchCount, batch: batch)
    }

    func rehearseInPlace(batchCount: Int, batch: (Int) throws -> [TargetAction]) throws -> [RefusedAction] {
        var refused: [RefusedAction] = []
        // The replay keeps a whole plan uncommitted. With the connection's 64 MB page cache, what does
        // not fit spills to the WAL (uncommitted, discarded by the rollback): a 512 MB cache spared that
        // but held ~700 MB for a 1M-customer delta plan, past the dry run's memory budget.
        try database.inTransaction(.immediate) { db in
            for number in 0..<batchCount {
                refused += try Self.replay(batch: number, actions: try batch(number), db: db)
            }
            return .rollback
        }
        return refused
    }

    /// The same replay on a copy of the target in `folder`, the copy deleted afterwards. For plans that
    /// write more than the target holds (a first load): one rolled-back transaction of a million inserts
    /// spills to the WAL and costs gigabytes of memory and disk; a copy of a small target costs little.
    func rehearseOnCopy(
        in folder: String, batchCount: Int, batch: (Int) throws -> [TargetAction]
    ) throws -> [RefusedAction] {
        let copy = try SQLiteRehearsalCopy(of: self, in: folder)
        defer { copy.close() }
        var refused: [RefusedAction] = []
        for number in 0..<batchCount {
            refused += try copy.replay(batch: number, actions: try batch(number))
        }
        return refused
    }

    public func rehearsalCopy(in folder: String) throws -> (any RehearsalCopy)? {
        try SQLiteRehearsalCopy(of: self, in: folder)
    }

    /// One batch in a savepoint; an action the database refuses is recorded, taken out, and the batch
    /// replayed without it. Only the business rows are replayed: custmig's own bookkeeping (crosswalk,
    /// "last loaded" images) follows no rule of the target's, and its image of 1-2 KB per customer was
    /// most of what a first load's replay wrote.
    static func replay(batch number: Int, actions: [TargetAction], db: Database) throws -> [RefusedAction] {
        var refused: [RefusedAction] = []
        var remaining = actions
        while true {
            try db.execute(sql: "SAVEPOINT batch")
            let statements = try ApplyStatements(db)
            var failedAt: Int?
            for (index, action) in remaining.enumerated() {
                do {
                    try Self.apply(action, images: action.images, statements: statements)
                } catch let error as DatabaseError {
                    refused.append(
                        Self.refusal(error, batch: number, action: action))
                    failedAt = index
                    break
                }
            }
            guard let failedAt else {
                try db.execute(sql: "RELEASE SAVEPOINT batch")
                return refused
            }
            try db.execute(sql: "ROLLBACK TO SAVEPOINT batch")
            try db.execute(sql: "RELEASE SAVEPOINT batch")
            remaining.remove(at: failedAt)
        }
    }
}

/// A copy of an SQLite target (online backup) in the workspace, without durability: a rollback journal
/// for the savepoints in a file beside it, no syncs. Deleted when closed.
final class SQLiteRehearsalCopy: RehearsalCopy {
    let path: String
    private let copy: DatabaseQueue

    init(of target: SQLiteTarget, in folder: String) throws {
        path = "\(folder)/rehearsal-\(UUID().uuidString.prefix(8)).sqlite"
        do {
            copy = try DatabaseQueue(path: path, configuration: SQLiteTarget.configuration())
            try target.database.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                // The journal in a file, not in memory: it holds every page a batch changes, and as the
                // copy's indexes grew, a batch of 10,000 first-load customers held ~100 MB of them (the
                // dry run's peak at 1M). Without syncs it mostly stays in the OS's cache.
                try db.execute(sql: "PRAGMA journal_mode = TRUNCATE")
                try db.execute(sql: "PRAGMA synchronous = OFF")
                // A first load appends in key order: a smaller page cache than the target's costs the
                // replay nothing measurable and keeps the dry run's memory within its budget.
                try db.execute(sql: "PRAGMA cache_size = -16384")
            }
        } catch {
            Self.remove(path)
            throw error
        }
    }

    deinit { close() }

    func replay(batch: Int, actions: [TargetAction]) throws -> [RefusedAction] {
        var refused: [RefusedAction] = []
        try copy.inTransaction(.immediate) { db in
            refused = try SQLiteTarget.replay(batch: batch, actions: actions, db: db)
            return .commit
        }
        return refused
    }

    func close() {
        try? copy.close()
        Self.remove(path)
    }

    private static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
