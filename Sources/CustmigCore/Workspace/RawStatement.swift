import GRDB
import GRDBSQLite

/// Binds and steps a prepared statement straight through the SQLite C API: on the cutover's hot
/// path (seven inserts per customer) GRDB's argument boxing cost more than SQLite's own work.
/// Errors are thrown as GRDB's ``DatabaseError`` so callers handle them the same way.
struct RawStatement {
    let statement: Statement
    let db: Database

    init(_ db: Database, sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
    }

    /// Binds positional parameters from 1, in call order.
    struct Binder {
        let handle: SQLiteStatement
        var index: Int32 = 1

        mutating func text(_ value: String?) {
            defer { index += 1 }
            guard var value else {
                sqlite3_bind_null(handle, index)
                return
            }
            value.withUTF8 { bytes in
                _ = sqlite3_bind_text(handle, index, bytes.baseAddress, Int32(bytes.count), transient)
            }
        }

        mutating func blob(_ value: [UInt8]?) {
            defer { index += 1 }
            guard let value else {
                sqlite3_bind_null(handle, index)
                return
            }
            value.withUnsafeBytes { bytes in
                _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), transient)
            }
        }

        mutating func int(_ value: Int) {
            sqlite3_bind_int64(handle, index, Int64(value))
            index += 1
        }

        mutating func bool(_ value: Bool) { int(value ? 1 : 0) }

        mutating func optionalInt(_ value: Int?) {
            if let value {
                int(value)
            } else {
                sqlite3_bind_null(handle, index)
                index += 1
            }
        }
    }

    /// Binds, runs to completion and resets; a refusal (constraint, full disk) is thrown.
    func run(_ bind: (inout Binder) -> Void) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        var binder = Binder(handle: handle)
        bind(&binder)
        var code = sqlite3_step(handle)
        while code == SQLITE_ROW { code = sqlite3_step(handle) }
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        sqlite3_reset(handle)
    }
}

/// SQLite copies bound text before `bind` returns (`SQLITE_TRANSIENT`).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
