import GRDB

extension CustmigError {
    /// The error a failure of the environment (SQLite's, a target's server) means to the user, or nil for others.
    public init?(environment error: Error) {
        if let failure = error as? any EnvironmentFailure {
            self = failure.userError
            return
        }
        guard let error = error as? DatabaseError else { return nil }
        self.init(database: error)
    }

    /// A SQLite failure that reached a command without a more specific error, said in the user's terms:
    /// a damaged file, a full disk or a lock is the environment, not a bug in custmig.
    public init(database error: DatabaseError) {
        let detail =
            (error.message ?? "SQLite error \(error.resultCode.rawValue)")
            + (error.sql.map { " (while running: \($0.prefix(120)))" } ?? "")
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            self.init(
                .unreadableInput, code: "DB-DAMAGED", "a database custmig works on is damaged: \(detail).",
                fix: "check the target and the workspace's ledger.sqlite with sqlite3 FILE 'PRAGMA integrity_check'; "
                    + "restore a damaged target from its snapshot (custmig rollback RUN --mode snapshot) or your backup."
            )
        case .SQLITE_FULL:
            self.init(
                .unreadableInput, code: "DB-FULL", "the disk (or the database's size limit) is full: \(detail).",
                fix: "free space where the target and the workspace live, then run the same command again; "
                    + "nothing of the failed transaction was kept.")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            self.init(
                .locked, code: "DB-LOCKED", "another process holds a lock on a database custmig needs: \(detail).",
                fix: "wait for the other process (fuser FILE names it), then run the same command again.")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN:
            self.init(
                .unreadableInput, code: "DB-ACCESS", "a database cannot be opened for writing: \(detail).",
                fix: "check the permissions of the target file, the workspace folder and the folder holding them.")
        case .SQLITE_IOERR:
            self.init(
                .unreadableInput, code: "DB-IO", "the operating system reported an I/O error: \(detail).",
                fix: "check the disk (dmesg), then run the same command again; committed batches are kept.")
        default:
            self.init(
                .internalFailure, code: "DB-ERROR", "SQLite failed: \(detail).",
                fix: "run the same command again; if it fails the same way, report it with this message.")
        }
    }
}

/// A failure of something custmig talks to (a target's server) that knows what it means to the user.
public protocol EnvironmentFailure: Error {
    var userError: CustmigError { get }
}
