import Dispatch
import Foundation
import GRDB
import GRDBSQLite

extension SQLiteTarget {
    /// The row fingerprints of the given customers, read straight from SQLite (the same value as
    /// ``CustomerImage/fingerprint`` of their images, without building them): the dry run's fast path.
    /// A customer with a row that cannot be read as text gets no fingerprint (its image reports why).
    public func fingerprints(ids: [String]) throws -> [String: String] {
        try database.read { db in try Self.fingerprints(ids: ids, db: db) }
    }

    /// Read-only connections of their own (the target is in WAL mode: they see what is committed).
    public func fingerprintReader() throws -> @Sendable ([String]) async throws -> [String: String] {
        let readers = try (0..<Self.fingerprintWorkers).map { _ in
            try DatabaseQueue(path: path, configuration: Self.readerConfiguration())
        }
        return { ids in try await Self.fingerprints(ids: ids, readers: readers) }
    }

    private static var fingerprintWorkers: Int { min(ProcessInfo.processInfo.activeProcessorCount, 4) }

    /// Many ids are split between the readers, each reading its part on a core of its own.
    private static func fingerprints(ids: [String], readers: [DatabaseQueue]) async throws -> [String: String] {
        guard ids.count >= 200, readers.count > 1 else {
            return try await readers[0].read { db in try Self.fingerprints(ids: ids, db: db) }
        }
        let parts = ids.chunked((ids.count + readers.count - 1) / readers.count)
        let results = await ParallelWork.map(parts.indices, parallelFrom: 2) { index in
            Result { try readers[index].read { db in try Self.fingerprints(ids: Array(parts[index]), db: db) } }
        }
        var merged: [String: String] = [:]
        for result in results { merged.merge(try result.get()) { a, _ in a } }
        return merged
    }

    static func fingerprints(ids: [String], db: Database) throws -> [String: String] {
        var fingerprinters: [String: (fingerprinter: Fingerprinter, count: Int)] = [:]
        var unreadable = Set<String>()
        var prefix: [UInt8] = []
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
                    table == "customer"
                    ? [] : CustomerImage.rowIdentity[table]!.map { Int32(columns.firstIndex(of: $0)! + 1) }
                let columnHashes = columns.map { Fingerprinter.hash($0) }
                // Rows arrive grouped by customer (the customer_id index): one dictionary update and
                // one id string per customer and table, not per row (any order stays correct).
                var current: (id: String, wanted: Bool, fingerprinter: Fingerprinter, count: Int)?
                func flush() {
                    guard let entry = current, entry.wanted else { return }
                    fingerprinters[entry.id, default: (Fingerprinter(), 0)].fingerprinter.merge(entry.fingerprinter)
                    fingerprinters[entry.id]!.count += entry.count
                }
                try Self.scan(
                    db,
                    sql: "SELECT customer_id, \(columns.joined(separator: ",")) FROM \(table) WHERE \(condition)",
                    arguments: arguments
                ) { idBytes, statement in
                    if current == nil || !current!.id.utf8.elementsEqual(idBytes) {
                        flush()
                        let id = String(decoding: idBytes, as: UTF8.self)
                        current = (id, wanted?.contains(id) ?? true, Fingerprinter(), 0)
                    }
                    guard current!.wanted else { return }
                    var rowPrefix = Fingerprinter.empty
                    if !identity.isEmpty {
                        prefix.removeAll(keepingCapacity: true)
                        prefix += table.utf8
                        prefix.append(UInt8(ascii: "["))
                        for (position, column) in identity.enumerated() {
                            if position > 0 { prefix.append(UInt8(ascii: "/")) }
                            Self.appendText(statement, column: column, to: &prefix)
                        }
                        prefix.append(UInt8(ascii: "]"))
                        prefix.append(UInt8(ascii: "."))
                        rowPrefix = Fingerprinter.hash(prefix)
                    }
                    for index in columns.indices {
                        switch Self.add(
                            statement, column: Int32(index + 1), prefix: rowPrefix, path: columnHashes[index],
                            to: &current!.fingerprinter)
                        {
                        case .added: current!.count += 1
                        case .empty: break
                        case .unreadable: unreadable.insert(current!.id)
                        }
                    }
                }
                flush()
            }
        }
        var result: [String: String] = [:]
        for (id, entry) in fingerprinters where !unreadable.contains(id) {
            result[id] = entry.fingerprinter.finished(count: entry.count)
        }
        return result
    }

    /// A row-id column as the image's path holds it (`CustomerImage.safe`: `]` becomes `)`).
    private static func appendText(_ statement: SQLiteStatement, column: Int32, to bytes: inout [UInt8]) {
        guard sqlite3_column_type(statement, column) == SQLITE_TEXT else {
            bytes += (text(statement, column: column) ?? "").utf8.map {
                $0 == UInt8(ascii: "]") ? UInt8(ascii: ")") : $0
            }
            return
        }
        guard let start = sqlite3_column_text(statement, column) else { return }
        for byte in UnsafeBufferPointer(start: start, count: Int(sqlite3_column_bytes(statement, column))) {
            bytes.append(byte == UInt8(ascii: "]") ? UInt8(ascii: ")") : byte)
        }
    }

    private enum Added { case added, empty, unreadable }

    private static func scan(
        _ db: Database, sql: String, arguments: StatementArguments,
        row: (UnsafeBufferPointer<UInt8>, SQLiteStatement) throws -> Void
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
            // The customer id as SQLite holds it (ids are text; another type is read as its text).
            if sqlite3_column_type(handle, 0) == SQLITE_TEXT, let bytes = sqlite3_column_text(handle, 0) {
                try row(UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, 0))), handle)
            } else if var id = text(handle, column: 0) {
                try id.withUTF8 { try row($0, handle) }
            }
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
