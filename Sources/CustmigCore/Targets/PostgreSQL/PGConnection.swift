import CLibPQ
import Foundation

/// A failure PostgreSQL reported, with its SQLSTATE and the diagnostic fields custmig reads (never
/// its message text) to tell a check from a foreign key or a lost connection.
public struct PGError: Error, Sendable, CustomStringConvertible {
    /// Five-character SQLSTATE (`23514` check, `23503` foreign key, `23505` unique, `08…` connection);
    /// empty when the connection itself failed.
    public var sqlState: String
    public var message: String
    public var column: String?
    public var constraint: String?
    public var table: String?

    public var description: String { message }

    /// Lost or never made: a rerun after the server is back resumes.
    public var isConnectionLoss: Bool { sqlState.isEmpty || sqlState.hasPrefix("08") || sqlState == "57P01" }
}

extension PGError: EnvironmentFailure {
    /// Said without the target's location (a stage that knows it wraps the error with it).
    public var userError: CustmigError {
        if isConnectionLoss {
            return CustmigError(
                .unreadableInput, code: "TARGET-CONNECTION",
                "the connection to the PostgreSQL target was lost: \(message).",
                fix:
                    "check that the server runs, then run the same command again: what was not committed was rolled back."
            )
        }
        return CustmigError(
            .unreadableInput, code: "TARGET-DB",
            "the PostgreSQL target refused a statement: \(message) [SQLSTATE \(sqlState)].",
            fix: "check the user's rights on the target's schema, then run the same command again.")
    }
}

/// One libpq connection. Parameters and results are text: the target's columns are all text, as in the
/// SQLite target, so what custmig compares is what was stored.
///
/// Sendable because every use of the libpq handle (which libpq allows from one thread at a time) is
/// inside `lock`: a statement, a streamed result or a COPY runs whole, and a transaction holds the
/// (recursive) lock from BEGIN to COMMIT, so another thread's statement never lands inside it.
final class PGConnection: @unchecked Sendable {
    private let connection: OpaquePointer
    private let lock = NSRecursiveLock()
    /// The location as printed (without password), for messages.
    let shown: String

    init(uri: String, shown: String) throws {
        self.shown = shown
        // libpq reads PG* variables, ~/.pgpass and sslmode itself; it takes the URI as the dbname key.
        var keys: [UnsafePointer<CChar>?] = []
        var values: [UnsafePointer<CChar>?] = []
        let owned = [("dbname", uri), ("application_name", "custmig \(ProcessInfo.processInfo.processIdentifier)")]
            .map { (strdup($0.0), strdup($0.1)) }
        defer { for (key, value) in owned { free(key); free(value) } }
        for (key, value) in owned {
            keys.append(UnsafePointer(key))
            values.append(UnsafePointer(value))
        }
        keys.append(nil)
        values.append(nil)
        guard let made = PQconnectdbParams(keys, values, 1) else {
            throw CustmigError(
                .unreadableInput, code: "TARGET-CONNECT", "cannot connect to \(shown): out of memory.",
                fix: "free memory and run the command again.")
        }
        guard PQstatus(made) == CONNECTION_OK else {
            // Finished here, before `connection` is set: a class whose stored properties are all set
            // runs its deinit when its init throws, which would finish it a second time.
            let message = String(cString: PQerrorMessage(made)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(made)
            throw CustmigError(
                .unreadableInput, code: "TARGET-CONNECT", "cannot connect to \(shown): \(message)",
                fix: "check that the server runs and the URI's host, port, user and database (psql with the same "
                    + "URI should connect); give a password with PGPASSWORD or ~/.pgpass, not in the URI.")
        }
        connection = made
        _ = try? execute("SET client_min_messages = warning")
    }

    deinit { PQfinish(connection) }

    /// Runs one statement with text parameters; returns its rows as text (NULL as nil).
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        lock.lock()
        defer { lock.unlock() }
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        return rows(result)
    }

    /// The first column of the first row, if any.
    func value(_ sql: String, _ parameters: [String?] = []) throws -> String? {
        try execute(sql, parameters).first?.first ?? nil
    }

    /// Runs a statement for each row it returns without collecting them all (single-row mode).
    func forEachRow(_ sql: String, _ parameters: [String?] = [], _ body: ([String?]) throws -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        try send(sql, parameters)
        guard PQsetSingleRowMode(connection) == 1 else { throw lastError() }
        var failure: Error?
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if status == PGRES_SINGLE_TUPLE {
                if failure == nil {
                    do { try body(rows(result)[0]) } catch { failure = error }
                }
            } else if status != PGRES_TUPLES_OK, failure == nil {
                failure = error(result)
            }
        }
        if let failure { throw failure }
    }

    /// Streams rows into a table with `COPY … FROM STDIN` (text format), the bulk path PostgreSQL itself
    /// recommends for loading.
    func copy(into table: String, columns: [String], rows: [[String?]]) throws {
        lock.lock()
        defer { lock.unlock() }
        let result = try run("COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN", [], expect: PGRES_COPY_IN)
        PQclear(result)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        func flush() throws {
            guard !buffer.isEmpty else { return }
            let sent = buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
            }
            guard sent == 1 else { throw lastError() }
            buffer.removeAll(keepingCapacity: true)
        }
        for row in rows {
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.append(0x09) }
                guard let value else {
                    buffer.append(contentsOf: [0x5C, 0x4E])  // \N
                    continue
                }
                for byte in value.utf8 {
                    switch byte {
                    case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
                    case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
                    case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
                    case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
                    default: buffer.append(byte)
                    }
                }
            }
            buffer.append(0x0A)
            if buffer.count > 1 << 16 { try flush() }
        }
        try flush()
        guard PQputCopyEnd(connection, nil) == 1 else { throw lastError() }
        var failure: Error?
        while let result = PQgetResult(connection) {
            if PQresultStatus(result) != PGRES_COMMAND_OK, failure == nil { failure = error(result) }
            PQclear(result)
        }
        if let failure { throw failure }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// A double-quoted identifier.
    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// A text[] literal for `= ANY($1::text[])`.
    static func array(_ values: some Sequence<String>) -> String {
        "{"
            + values.map { value in
                "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    + "\""
            }.joined(separator: ",") + "}"
    }

    // MARK: libpq

    private func run(_ sql: String, _ parameters: [String?], expect: ExecStatusType? = nil) throws -> OpaquePointer {
        let result = withParameters(parameters) { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        guard let result else { throw lastError() }
        let status = PQresultStatus(result)
        let ok = expect.map { status == $0 } ?? (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        guard ok else {
            let failure = error(result)
            PQclear(result)
            throw failure
        }
        return result
    }

    private func send(_ sql: String, _ parameters: [String?]) throws {
        let sent = withParameters(parameters) { values in
            PQsendQueryParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else { throw lastError() }
    }

    private func withParameters<T>(_ parameters: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { for copy in copies { free(copy) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }

    private func rows(_ result: OpaquePointer) -> [[String?]] {
        let count = PQntuples(result)
        let width = PQnfields(result)
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(count))
        for row in 0..<count {
            rows.append(
                (0..<width).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
        }
        return rows
    }

    private func error(_ result: OpaquePointer) -> PGError {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let message = field("M") ?? String(cString: PQresultErrorMessage(result))
        let detail = field("D").map { " (\($0))" } ?? ""
        return PGError(
            sqlState: field("C") ?? "", message: message + detail, column: field("c"), constraint: field("n"),
            table: field("t"))
    }

    private func lastError() -> PGError {
        PGError(
            sqlState: "",
            message: String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
