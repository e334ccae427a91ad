import Dispatch
import GRDB

/// Copies a target's committed write-ahead log into its database file on a thread of its own, while
/// the cutover writes the next batch. SQLite does this on the writing connection after a commit
/// (the automatic checkpoint), which stopped the cutover for a twentieth of its time; the writing
/// connection's automatic checkpoint is off until ``finish()`` turns it back on.
///
/// SQLite starts the log file over only when a write begins with every frame copied, which a
/// checkpoint running beside the writer never sees: every few batches the writer waits for the
/// checkpoint in flight (``settle()``), so the log stays a few batches long instead of growing to
/// the size of the load.
final class BackgroundCheckpointer: TargetLoadSession, Sendable {
    private let writer: DatabaseQueue
    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "custmig.checkpoint")
    private let group = DispatchGroup()

    init(target: SQLiteTarget) throws {
        writer = target.database
        connection = try DatabaseQueue(path: target.path, configuration: SQLiteTarget.configuration())
        try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
    }

    /// Starts a passive checkpoint (it never waits for the writer) of what is committed now.
    func checkpoint() {
        queue.async(group: group) { [connection] in
            // Best effort: what a checkpoint leaves (busy, an I/O error) the next one or SQLite's own takes.
            _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        }
    }

    /// Waits for the checkpoint in flight, so that the next write starts the log over.
    func settle() { group.wait() }

    /// Every fourth batch waits for the checkpoint in flight before it writes, so the log starts over.
    func willApply(position: Int) { if position % 4 == 3 { settle() } }

    /// After each committed batch: a checkpoint of it.
    func committed(position: Int) { checkpoint() }

    /// Waits for the checkpoints started and gives the writing connection its automatic checkpoint back.
    func finish() throws {
        group.wait()
        try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 1000") }
        try connection.close()
    }
}
