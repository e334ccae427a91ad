import Foundation
import GRDB

/// The dry run's replay of a plan: in the target (rolled back) or on a scratch copy of it.
extension SQLiteTarget {
    /// A replay in one transaction with a savepoint per batch, rolled back when it closes (the dry run's
    /// fidelity check), or with `copyFolder` on a copy of the target there, deleted when it closes: one
    /// rolled-back transaction of a million inserts spills to the WAL and costs gigabytes of memory and
    /// disk; a copy of a small target costs little.
    public func rehearsal(copyFolder: String?) throws -> any TargetRehearsal {
        if let copyFolder { return try SQLiteRehearsalCopy(of: self, in: copyFolder) }
        return try SQLiteInPlaceRehearsal(path: path)
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
            // Written as the cutover writes them (runs of new customers many rows per statement: a first
            // load's replay spent most of its time in one-row statements).
            try NewCustomerRuns.write(
                remaining, db: db, skip: { _ in failedAt != nil },
                single: { index, _ in
                    guard failedAt == nil else { return }
                    do {
                        try Self.apply(remaining[index], images: remaining[index].images, statements: statements)
                    } catch let error as DatabaseError {
                        refused.append(Self.refusal(error, batch: number, action: remaining[index]))
                        failedAt = index
                    }
                }
            ) { group in
                let members = group.map { remaining[$0] }
                try Self.insertRows(of: members, images: members.map(\.images), statements: statements)
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

/// A replay in the target itself, in one transaction on a connection of its own that is rolled back
/// when the rehearsal closes (or the process ends). The replay keeps a whole plan uncommitted: with the
/// connection's 64 MB page cache, what does not fit spills to the WAL (uncommitted, discarded by the
/// rollback); a 512 MB cache spared that but held ~700 MB for a 1M-customer delta plan, past the dry
/// run's memory budget.
final class SQLiteInPlaceRehearsal: TargetRehearsal {
    private let database: DatabaseQueue
    private var closed = false

    init(path: String) throws {
        var configuration = SQLiteTarget.configuration()
        // The transaction spans the batches, each replayed in an access of its own.
        configuration.allowsUnsafeTransactions = true
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
    }

    deinit { close() }

    func replay(batch: Int, actions: [TargetAction]) throws -> [RefusedAction] {
        try database.writeWithoutTransaction { db in try SQLiteTarget.replay(batch: batch, actions: actions, db: db) }
    }

    func close() {
        guard !closed else { return }
        closed = true
        try? database.writeWithoutTransaction { db in
            if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
        }
        try? database.close()
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
