import CustmigCore
import Foundation
import GRDB
import Testing

/// A kind of target the conformance suite runs against, with what a test needs beside the seam:
/// a fresh location, a way to edit the target behind custmig's back (as a user of the ERP would), and a
/// dump of every table to compare.
enum TargetKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgresql
    /// In this process only: for the library-level scenarios, not for runs of the binary.
    case memory

    var testDescription: String { rawValue }

    /// The PostgreSQL server the tests use (`.ci/postgres.sh` starts one and exports it).
    static var postgresURI: String? { ProcessInfo.processInfo.environment["CUSTMIG_TEST_POSTGRES"] }

    /// The kinds to run: PostgreSQL when a server is given, or when CI requires it (then a missing one
    /// fails the tests instead of skipping them). Without one, locally, the reason is printed once.
    static let available: [TargetKind] = {
        if postgresURI != nil || ProcessInfo.processInfo.environment["CUSTMIG_REQUIRE_POSTGRES"] == "1" {
            return [.sqlite, .postgresql]
        }
        print(
            "note: the PostgreSQL target's conformance tests are skipped: no server (set CUSTMIG_TEST_POSTGRES, e.g. `source .ci/postgres.sh`)."
        )
        return [.sqlite]
    }()

    /// The kinds the library-level scenarios run on: the in-memory target too.
    static let inProcess: [TargetKind] = available + [.memory]

    /// A new, empty target location (a file in `folder`, or a new schema).
    func newLocation(in folder: String) throws -> String {
        switch self {
        case .sqlite: return "sqlite:" + folder + "/target-\(UUID().uuidString.prefix(8)).db"
        case .memory: return "memory:" + UUID().uuidString
        case .postgresql:
            guard let uri = Self.postgresURI else {
                throw CustmigError(
                    .usage, code: "TEST-POSTGRES", "CUSTMIG_REQUIRE_POSTGRES=1 but CUSTMIG_TEST_POSTGRES is not set.",
                    fix: "source .ci/postgres.sh before swift test.")
            }
            return uri + "?schema=t_"
                + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        }
    }

    /// Runs SQL in the target (the tests' stand-in for someone editing the ERP).
    func sql(_ statement: String, at location: String) throws {
        switch try TargetLocation(parsing: location) {
        case .sqlite(let path):
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: statement) }
            try queue.close()
        case .postgresql(let pg):
            _ = try Self.psql(pg, "SET search_path TO \(pg.schema); " + statement)
        case .memory, .tryton: throw CustmigError(.usage, code: "TEST", "no SQL in memory or Tryton", fix: "")
        }
    }

    /// Every table of the target (business rows and bookkeeping), rows sorted; `except` leaves tables out.
    func dump(_ location: String, except: Set<String> = []) throws -> String {
        var text = ""
        switch try TargetLocation(parsing: location) {
        case .sqlite(let path):
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            try queue.read { db in
                for table in try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                where !except.contains(table) {
                    text += table + "\n"
                    for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").map({ row in
                        row.databaseValues.map { "\($0)" }.joined(separator: "|")
                    }).sorted() {
                        text += row + "\n"
                    }
                }
            }
        case .postgresql(let pg):
            let tables = try Self.psql(
                pg,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = '\(pg.schema)' ORDER BY 1"
            ).split(separator: "\n").map(String.init)
            for table in tables where !except.contains(table) {
                let rows = try Self.psql(pg, "COPY \(pg.schema).\(table) TO STDOUT").split(separator: "\n").sorted()
                text += table + "\n" + rows.joined(separator: "\n") + (rows.isEmpty ? "" : "\n")
            }
        case .memory, .tryton: throw CustmigError(.usage, code: "TEST", "dump the in-memory or Tryton target through the seam", fix: "")
        }
        return text
    }

    /// psql's unaligned output of one command.
    static func psql(_ location: PostgreSQLLocation, _ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [location.connectionURI, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", command]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CustmigError(
                .internalFailure, code: "TEST-PSQL", "psql failed: \(String(decoding: problem, as: UTF8.self))",
                fix: "check the test's SQL.")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
