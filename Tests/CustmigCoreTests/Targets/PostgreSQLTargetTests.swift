import CustmigCore
import Foundation
import GRDB
import Testing

/// What only a server target has: a lock other sessions see, a connection that can be lost, a password.
@Suite(
    "The PostgreSQL target", .serialized,
    .enabled(if: TargetKind.available.contains(.postgresql), "no PostgreSQL server (set CUSTMIG_TEST_POSTGRES)"))
struct PostgreSQLTargetTests {
    /// A mapped 3,000-row extract planned (batches of 40) against a new schema.
    static func planned() throws -> TargetConformanceTests.Drill {
        let drill = try TargetConformanceTests.Drill(.postgresql)
        try drill.planGenerated(rows: 3_000, seed: 31, batchSize: 40)
        return drill
    }

    static func location(_ drill: TargetConformanceTests.Drill) throws -> PostgreSQLLocation {
        guard case .postgresql(let location) = try TargetLocation(parsing: drill.target) else {
            throw CustmigError(.usage, code: "TEST", "not PostgreSQL", fix: "")
        }
        return location
    }

    /// Polls `query` (psql, one value) until it returns `expected`, for at most 20 s.
    static func wait(_ location: PostgreSQLLocation, until query: String, is expected: String) throws -> Bool {
        for _ in 0..<400 {
            if try TargetKind.psql(location, query).trimmingCharacters(in: .whitespacesAndNewlines) == expected {
                return true
            }
            usleep(50_000)
        }
        return false
    }

    @Test("a second cutover into the same schema is refused while one holds the lock, naming the holder")
    func cutoverLock() throws {
        let drill = try Self.planned()
        let location = try Self.location(drill)
        let key = "custmig.cutover." + location.schema
        // Another session holds the target's lock (as a cutover from another workspace would).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        holder.arguments = [
            location.connectionURI, "-X", "-q", "-c", "SET application_name = 'wave 2 from /other/workspace'",
            "-c", "SELECT pg_advisory_lock(hashtext('\(key)'))", "-c", "SELECT pg_sleep(8)",
        ]
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        defer {
            holder.terminate()
            holder.waitUntilExit()
        }
        // This schema's lock only (other tests' cutovers hold their own schemas' locks meanwhile).
        #expect(
            try Self.wait(
                location,
                until:
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = (hashtext('\(key)')::bigint & 4294967295)::oid",
                is: "1"))
        let refused = try drill.run(["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"])
        #expect(refused.status == 5, "locked: \(refused.stderr)")
        #expect(
            refused.stderr.contains("TARGET-LOCKED") && refused.stderr.contains("wave 2 from /other/workspace"),
            "\(refused.stderr)")
        #expect(try TargetKind.psql(location, "SELECT count(*) FROM \(location.schema).customer").hasPrefix("0"))
        holder.terminate()
        holder.waitUntilExit()
        let applied = try drill.run(["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"])
        #expect(applied.status == 0, "\(applied.stderr)")
    }

    @Test("a connection lost mid-cutover loses nothing: the batch rolls back, the rerun resumes to the same tables")
    func lostConnection() throws {
        let drill = try Self.planned()
        let location = try Self.location(drill)
        _ = try drill.cutover()
        let reference = try drill.dumpWithoutTimes(except: ["custmig_snapshot"])
        let back = try drill.run(["rollback", "latest", "--workspace", drill.workspace])
        #expect(back.status == 0, "\(back.stderr)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Once a few batches are in, the server drops the cutover's connection.
        #expect(
            try Self.wait(
                location, until: "SELECT count(*) >= 3 FROM \(location.schema).custmig_checkpoint", is: "t"))
        _ = try TargetKind.psql(
            location,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'custmig cutover pid \(process.processIdentifier) %'"
        )
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 66, "the cutover lost its connection: \(stderr)")
        #expect(stderr.contains("TARGET-CONNECTION"), "\(stderr)")
        let resumed = try drill.run(["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try drill.dumpWithoutTimes(except: ["custmig_snapshot"]) == reference)
    }

    @Test("a password written in the URI is used but never stored in the ledger, a plan or a report, nor printed")
    func passwordNeverStored() throws {
        guard let password = ProcessInfo.processInfo.environment["PGPASSWORD"], !password.isEmpty,
            let uri = TargetKind.postgresURI, var parts = URLComponents(string: uri)
        else { return }
        let drill = try TargetConformanceTests.Drill(.postgresql)
        parts.password = password
        let schema = try Self.location(drill).schema
        let withPassword = (parts.string ?? uri) + "?schema=" + schema
        let original = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        try original.write(toFile: drill.folder + "/customers.csv", atomically: true, encoding: .windowsCP1252)
        _ = try drill.run([
            "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), drill.folder + "/customers.csv",
            "--workspace", drill.workspace,
        ])
        let plan = try drill.run(["dry-run", "--target", withPassword, "--workspace", drill.workspace])
        #expect(plan.status == 0, "\(plan.stderr)")
        let cut = try drill.run(["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"])
        #expect(cut.status == 0, "\(cut.stderr)")
        #expect(!(plan.stdout + plan.stderr + cut.stdout + cut.stderr).contains(password))
        let files = FileManager.default.enumerator(atPath: drill.workspace)?.compactMap { $0 as? String } ?? []
        #expect(!files.isEmpty)
        for file in files {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: drill.workspace + "/" + file))) ?? Data()
            #expect(data.range(of: Data(password.utf8)) == nil, "\(file) holds the password")
        }
    }

    @Test("a wrong password, a server that is not there, a foreign schema and a second init are refused with the fix")
    func refusals() throws {
        let drill = try TargetConformanceTests.Drill(.postgresql)
        let location = try Self.location(drill)
        let wrong = try CLI.run(
            ["dry-run", "--target", drill.target, "--workspace", drill.workspace],
            environment: ["PGPASSWORD": "not-the-password"])
        #expect(wrong.status == 66 && wrong.stderr.contains("TARGET-CONNECT"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("not-the-password"))
        let nowhere = try CLI.run([
            "target", "init", "postgresql://custmig@127.0.0.1:1/postgres?schema=x", "--codes", Paths.samples("target-codes.csv"),
        ])
        #expect(nowhere.status == 66 && nowhere.stderr.contains("TARGET-CONNECT"), "\(nowhere.stderr)")
        let again = try CLI.run(["target", "init", drill.target, "--codes", Paths.samples("target-codes.csv")])
        #expect(again.status == 64 && again.stderr.contains("TARGET-EXISTS"), "\(again.stderr)")
        let foreign = location.schema + "_erp"
        _ = try TargetKind.psql(location, "CREATE SCHEMA \(foreign); CREATE TABLE \(foreign).kna1 (kunnr text)")
        let uri = drill.target.replacingOccurrences(of: "schema=" + location.schema, with: "schema=" + foreign)
        let refused = try CLI.run(["target", "init", uri, "--codes", Paths.samples("target-codes.csv")])
        #expect(refused.status == 64 && refused.stderr.contains("TARGET-FOREIGN") && refused.stderr.contains("kna1"), "\(refused.stderr)")
        let notOurs = try CLI.run(["dry-run", "--target", uri, "--workspace", drill.workspace])
        #expect(notOurs.status == 64 && notOurs.stderr.contains("TARGET-FOREIGN"), "\(notOurs.stderr)")
        _ = try TargetKind.psql(location, "DROP SCHEMA \(foreign) CASCADE")
    }
}
