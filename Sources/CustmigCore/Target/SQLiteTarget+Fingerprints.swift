import Dispatch
import Foundation
import GRDB
import GRDBSQLite

extension SQLiteTarget {
    /// The row fingerprints of the given customers, read straight from SQLite (the same value as
    /// ``CustomerImage/fingerprint`` of their images, without building them): the dry run's fast path.
    /// A customer with a row that cannot be read as text gets no fingerprint (its image reports why).
    public func fingerprints(ids: [String]) throws -> [String: String] {
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, 4)
        guard ids.count >= 200, workers > 1 else {
            return try database.read { db in try Self.fingerprints(ids: ids, db: db) }
        }
        let connections = try readers(workers)
        let parts = ids.chunked((ids.count + workers - 1) / workers)
        var results = [Result<[String: String], Error>?](repeating: nil, count: parts.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: parts.count) { index in
                (base + index).pointee = Result {
                    try connections[index].read { db in try Self.fingerprints(ids: Array(parts[index]), db: db) }
                }
            }
        }
        var merged: [String: String] = [:]
        for result in results { merged.merge(try result!.get()) { a, _ in a } }
        return merged
    }

    static func fingerprints(ids: [String], db: Database) throws -> [String: String] {
        do {
            var fingerprinters: [String: (fingerprinter: Fingerprinter, count: Int)] = [:]
            var unreadable = Set<String>()
            for chunk in ids.chunked(500) {
                // Ids that lie close together (a plan's chunk, in target-id order) are read as one range
                // of the customer_id index, over twice as fast as 500 lookups; rows of customers not
                // asked for are skipped. Scattered ids are looked up one by one.
                let first = chunk.min { $0.utf8.lexicographicallyPrecedes($1.utf8) }!
                let last = chunk.max { $0.utf8.lexicographicallyPrecedes($1.utf8) }!
                let span =
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM customer WHERE customer_id BETWEEN ? AND ?",
                        arguments: [first, last])
                    ?? Int.max
                let wanted: Set<String>? = span <= 2 * chunk.count ? Set(chunk) : nil
                let condition =
                    wanted == nil
                    ? "customer_id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ",")))"
                    : "customer_id BETWEEN ? AND ?"
                let arguments = wanted == nil ? StatementArguments(chunk) : [first, last]
                for table in ["customer"] + TargetSchema.childTables {
                    let columns =
                        table == "customer" ? CustomerImage.customerColumns : CustomerImage.childColumns[table]!
                    let identity =
                        table == "customer" ? [] : CustomerImage.rowIdentity[table]!.map { columns.firstIndex(of: $0)! }
                    let columnHashes = columns.map { Fingerprinter.hash($0) }
                    try Self.scan(
                        db,
                        sql:
                            "SELECT customer_id, \(columns.joined(separator: ",")) FROM \(table) WHERE \(condition)",
                        arguments: arguments
                    ) { id, statement in
                        if let wanted, !wanted.contains(id) { return }
                        let prefix =
                            identity.isEmpty
                            ? Fingerprinter.empty
                            : Fingerprinter.hash(
                                "\(table)[\(CustomerImage.safe(identity.map { Self.text(statement, column: Int32($0 + 1)) ?? "" }.joined(separator: "/")))]."
                            )
                        var entry = fingerprinters[id] ?? (Fingerprinter(), 0)
                        for index in columns.indices {
                            switch Self.add(
                                statement, column: Int32(index + 1), prefix: prefix, path: columnHashes[index],
                                to: &entry.fingerprinter)
                            {
                            case .added: entry.count += 1
                            case .empty: break
                            case .unreadable: unreadable.insert(id)
                            }
                        }
                        fingerprinters[id] = entry
                    }
                }
            }
            var result: [String: String] = [:]
            for (id, entry) in fingerprinters where !unreadable.contains(id) {
                result[id] = entry.fingerprinter.finished(count: entry.count)
            }
            return result
        }
    }

    private enum Added { case added, empty, unreadable }

    private static func scan(
        _ db: Database, sql: String, arguments: StatementArguments, row: (String, SQLiteStatement) throws -> Void
    ) throws {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            guard let id = text(handle, column: 0) else { continue }
            try row(id, handle)
        }
    }

    private static func text(_ statement: SQLiteStatement, column: Int32) -> String? {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL: return nil
        case SQLITE_INTEGER: return String(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: return String(sqlite3_column_double(statement, column))
        default:
            guard let bytes = sqlite3_column_text(statement, column) else { return nil }
            return String(cString: bytes)
        }
    }

    /// Adds one column's value as the image would hold it: text as is, numbers as Swift prints
    /// them, NULL and "" left out, binary data unreadable.
    private static func add(
        _ statement: SQLiteStatement, column: Int32, prefix: Fingerprinter.PartHash, path: Fingerprinter.PartHash,
        to fingerprinter: inout Fingerprinter
    ) -> Added {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL: return .empty
        case SQLITE_BLOB: return .unreadable
        case SQLITE_TEXT:
            guard let bytes = sqlite3_column_text(statement, column) else { return .empty }
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0 else { return .empty }
            fingerprinter.add(prefix: prefix, column: path, value: UnsafeBufferPointer(start: bytes, count: count))
            return .added
        default:
            var value = text(statement, column: column) ?? ""
            value.withUTF8 { fingerprinter.add(prefix: prefix, column: path, value: $0) }
            return .added
        }
    }
}
