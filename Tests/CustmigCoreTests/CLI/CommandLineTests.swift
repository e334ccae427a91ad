import CustmigCore
import Foundation
import GRDB
import Testing

/// Runs the built `custmig` binary, as a user would.
enum CLI {
    static var binary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("custmig")
                .path,
            Paths.repository.appendingPathComponent(".build/debug/custmig").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `memoryLimitKB` runs the command under `ulimit -v` (address space), as a machine with that much memory would.
    static func run(
        _ arguments: [String], in directory: String? = nil, environment extra: [String: String] = [:],
        memoryLimitKB: Int? = nil
    ) throws -> Output {
        // Files, not pipes (a child filling one pipe while the parent reads the other cannot deadlock),
        // opened by the child's shell: no descriptor of this process is handed to Foundation's Process,
        // whose handling of them under concurrency has closed descriptors other tests were using.
        let folder = try Paths.scratch()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let limit = memoryLimitKB.map { "ulimit -v \($0) && " } ?? ""
        process.arguments = ["-c", limit + "exec \"$0\" \"$@\" >\"$CLI_OUT\" 2>\"$CLI_ERR\"", binary] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["CLI_OUT"] = folder + "/out"
        environment["CLI_ERR"] = folder + "/err"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        try process.run()
        process.waitUntilExit()
        let stdout = try Data(contentsOf: URL(fileURLWithPath: folder + "/out"))
        let stderr = try Data(contentsOf: URL(fileURLWithPath: folder + "/err"))
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

@Suite("custmig on the command line", .serialized)
struct CommandLineTests {
    @Test("peek prints JSON Lines in the record shape and reports malformed records on stderr")
    func peek() throws {
        let result = try CLI.run(["peek", Paths.samples("customers.csv"), "--limit", "2"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: String]
        #expect(first?["CUSTNO"] == "100000")
        #expect(result.stderr.contains("windows-1252"))
        #expect(result.stderr.contains("delimiter \";\""))
    }

    @Test("peek --count counts records and malformed records of both samples")
    func count() throws {
        let csv = try CLI.run(["peek", "--count", Paths.samples("customers.csv")])
        #expect(csv.stdout == "records: 396\nmalformed: 4\n")
        #expect(csv.stderr.contains("customers.csv:176: error: [CSV-RAGGED]"))
        let xml = try CLI.run(["peek", "--count", Paths.samples("debmas07.xml")])
        #expect(xml.stdout == "records: 403\nmalformed: 0\n")
    }

    @Test("peek shows nested XML segments as lists")
    func peekXML() throws {
        let result = try CLI.run(["peek", Paths.fixture("xml/debmas-small.xml"), "--limit", "1", "--with-position"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let fields = object?["fields"] as? [String: Any]
        #expect((fields?["E1KNVVM"] as? [Any])?.count == 2)
        #expect((object?["control"] as? [String: String])?["DOCNUM"] == "0000000000000101")
        #expect((object?["position"] as? [String: Any])?["line"] as? Int == 6)
    }

    @Test("profile writes the reports and prints a summary")
    func profile() throws {
        let folder = try Paths.scratch()
        let result = try CLI.run([
            "profile", Paths.samples("customers.csv"), Paths.samples("debmas07.xml"), "--out", folder + "/reports",
        ])
        #expect(result.status == 0)
        #expect(result.stdout.contains("396 records, 4 malformed, 29 fields"))
        #expect(result.stdout.contains("403 records, 0 malformed"))
        for name in [
            "index.html", "customers.csv.profile.html", "customers.csv.profile.json", "debmas07.xml.profile.md",
        ] {
            #expect(FileManager.default.fileExists(atPath: "\(folder)/reports/\(name)"), "\(name) missing")
        }
    }

    @Test("exit codes: a missing file is 66, a bad option 64")
    func exitCodes() throws {
        let missing = try CLI.run(["peek", "/nonexistent/file.csv"])
        #expect(missing.status == ExitStatus.unreadableInput.rawValue)
        #expect(missing.stderr.contains("[IO-MISSING] cannot open \"/nonexistent/file.csv\""))
        let badEncoding = try CLI.run(["peek", Paths.samples("customers.csv"), "--encoding", "klingon"])
        #expect(badEncoding.status == ExitStatus.usage.rawValue)
        #expect(badEncoding.stderr.contains("unknown encoding \"klingon\""))
        let badPath = try CLI.run(["peek", Paths.fixture("xml/customers.xml"), "--record-path", "Customer"])
        #expect(badPath.status == ExitStatus.usage.rawValue)
    }

    @Test("a damaged target is an input problem (66) naming integrity_check and the snapshot, not 'SQLite error 11'")
    func damagedTarget() throws {
        let folder = try Paths.scratch()
        let target = folder + "/target.db"
        #expect(
            try CLI.run(["target", "init", "sqlite:" + target, "--codes", Paths.samples("target-codes.csv")]).status
                == 0)
        #expect(
            try CLI.run([
                "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), Paths.samples("customers.csv"),
                "--workspace", folder + "/w",
            ]).status == 0)
        // Overwrite pages in the middle of the file (the code lists live there).
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: target))
        try handle.seek(toOffset: 8192)
        handle.write(Data(repeating: 0xDE, count: 4000))
        try handle.close()
        let result = try CLI.run(["dry-run", "--target", "sqlite:" + target, "--workspace", folder + "/w"])
        #expect(result.status == ExitStatus.unreadableInput.rawValue)
        #expect(result.stderr.contains("[DB-DAMAGED] a database custmig works on is damaged"))
        #expect(result.stderr.contains("PRAGMA integrity_check"))
    }

    @Test("a billion-laughs file ends in a clear message, quickly, with the records before it")
    func billionLaughs() throws {
        let result = try CLI.run(["peek", Paths.fixture("xml/billion-laughs.xml")])
        #expect(result.status == 0)
        #expect(result.stdout == "{\"Name\":\"Safe\"}\n")
        #expect(result.stderr.contains("[XML-ENTITY] Entity 'lol9' not defined"))
    }

    @Test("samples writes the same bytes for the same seed, SAP table downloads included")
    func samples() throws {
        let first = try Paths.scratch()
        let second = try Paths.scratch()
        for folder in [first, second] {
            #expect(
                try CLI.run(["samples", "--rows", "50", "--out", folder, "--seed", "5", "--format", "csv,xml,tables"])
                    .status == 0)
        }
        for file in ["debmas07.xml", "customers.csv", "KNA1.txt", "KNVV.txt", "KNVP.txt", "KNVK.txt"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: first + "/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: second + "/" + file))
            #expect(a == b, "\(file)")
        }
        let kna1 = try String(contentsOfFile: first + "/KNA1.txt", encoding: .utf8)
        #expect(kna1.hasPrefix("MANDT\tKUNNR\tKTOKD\tLAND1\tNAME1"))
        #expect(kna1.split(separator: "\r\n").count == 51)
    }

    /// Leaves a workspace's ledger as a custmig before `migration` would: without the index it adds.
    static func withoutIndex(_ index: String, migration: String, workspace: String) throws {
        let ledger = try DatabaseQueue(path: workspace + "/ledger.sqlite")
        try ledger.write { db in
            try db.execute(sql: "DROP INDEX \(index)")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [migration])
        }
        try ledger.close()
    }

    @Test("a workspace from an older custmig is brought up to date once, with a note first; a current one gets none")
    func upgradeNote() throws {
        let workspace = try Paths.scratch()
        let map = try CLI.run([
            "map", "--mapping", MappingLoaderTests.shipped("sap-debmas07"), Paths.samples("debmas07.xml"),
            "--workspace", workspace,
        ])
        #expect(map.status == 0, "\(map.stderr)")
        #expect(!map.stderr.contains("upgrading"))
        // As an older custmig left it: without the last schema version.
        try Self.withoutIndex("canonical_record_by_status", migration: "v8-record-status", workspace: workspace)
        let first = try CLI.run(["status", "--workspace", workspace])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            first.stderr.contains("note: upgrading the workspace's ledger to this custmig's schema (v8-record-status)"))
        #expect(first.stdout.contains("ok 348"))
        let second = try CLI.run(["status", "--workspace", workspace])
        #expect(!second.stderr.contains("upgrading"))
        let indexes = try DatabaseQueue(path: workspace + "/ledger.sqlite").read { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'canonical_record'")
        }
        #expect(indexes.contains("canonical_record_by_status"))
    }

    @Test("a ledger from before v15 gets the findings-by-rule index on opening; the reject report reads the same")
    func findingsByRuleUpgrade() throws {
        let workspace = try Paths.scratch()
        let arguments = [
            "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), Paths.samples("customers.csv"),
            "--workspace", workspace,
        ]
        let map = try CLI.run(arguments)
        #expect(map.status <= 3, "\(map.stderr)")
        let reports = try FileManager.default.contentsOfDirectory(atPath: workspace + "/reports")
        let report = try #require(reports.first.map { workspace + "/reports/" + $0 + "/findings.csv" })
        let before = try String(contentsOfFile: report, encoding: .utf8)
        #expect(before.split(separator: "\n").count > 20)
        try Self.withoutIndex("finding_by_rule", migration: "v15-findings-by-rule", workspace: workspace)
        let status = try CLI.run(["status", "--workspace", workspace])
        #expect(status.stderr.contains("(v15-findings-by-rule)"), "\(status.stderr)")
        let plan = try DatabaseQueue(path: workspace + "/ledger.sqlite").read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT rule FROM finding WHERE run_id = 1
                    ORDER BY rule, source_input, source_index
                    """
            ).map { $0["detail"] as String }
        }
        #expect(plan.joined().contains("finding_by_rule") && !plan.joined().contains("TEMP B-TREE"), "\(plan)")
        // Written again from the upgraded ledger: the same rows in the same order.
        try FileManager.default.removeItem(atPath: report)
        let again = try RejectReport.write(
            run: 1, ledger: try Workspace(path: workspace, command: "test", writer: false).ledger,
            folder: (report as NSString).deletingLastPathComponent)
        #expect(again.contains(report))
        #expect(try String(contentsOfFile: report, encoding: .utf8) == before)
    }

    @Test("map: summary on stdout, exit 3 when rejects exceed the threshold, 5 when the workspace is locked")
    func mapExitCodes() throws {
        let workspace = try Paths.scratch()
        let ok = try CLI.run([
            "map", "--mapping", MappingLoaderTests.shipped("sap-debmas07"), Paths.samples("debmas07.xml"),
            "--workspace", workspace,
        ])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("read        403"))
        let again = try CLI.run([
            "map", "--mapping", MappingLoaderTests.shipped("sap-debmas07"), Paths.samples("debmas07.xml"),
            "--workspace", workspace,
        ])
        #expect(again.stdout.contains("nothing to do"))
        let status = try CLI.run(["status", "--workspace", workspace, "--json"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("\"status\" : \"done\""))

        let strict = try StewardFilesTests.mappingFolder()
        let yaml = try String(contentsOfFile: strict + "/mapping.yaml", encoding: .utf8)
            .replacingOccurrences(of: "reject_threshold: {share: 0.1}", with: "reject_threshold: {count: 0}")
        try yaml.write(toFile: strict + "/mapping.yaml", atomically: true, encoding: .utf8)
        let gate = try CLI.run([
            "map", "--mapping", strict + "/mapping.yaml", Paths.samples("customers.csv"), "--workspace",
            try Paths.scratch(),
        ])
        #expect(gate.status == ExitStatus.qualityGate.rawValue)
        #expect(gate.stderr.contains("[MAP-THRESHOLD]"))
        #expect(gate.stdout.contains("rejected"))

        let holder = try Workspace(path: workspace, command: "custmig map (test holder)", writer: true)
        let locked = try CLI.run([
            "map", "--mapping", MappingLoaderTests.shipped("sap-debmas07"), Paths.samples("debmas07.xml"),
            "--workspace", workspace,
        ])
        #expect(locked.status == ExitStatus.locked.rawValue)
        #expect(locked.stderr.contains("custmig map (test holder)"))
        _ = holder
    }

    @Test("cutover, reconcile, crosswalk export and rollback find the target in the plan when --target is left out")
    func targetFromPlan() throws {
        let workspace = try Paths.scratch()
        let target = "sqlite:" + (try Paths.scratch()) + "/target.db"
        let steps: [[String]] = [
            ["map", "--mapping", MappingLoaderTests.shipped("sap-debmas07"), Paths.samples("debmas07.xml")],
            ["target", "init", target, "--codes", Paths.samples("target-codes.csv")],
            ["dry-run", "--target", target], ["approve", "latest", "--by", "QA"], ["cutover", "latest"],
            ["reconcile"], ["crosswalk", "export", "--out", workspace + "/crosswalk.csv"],
        ]
        for step in steps {
            let result = try CLI.run(step + (step[0] == "target" ? [] : ["--workspace", workspace]))
            #expect(result.status == 0, "\(step): \(result.stderr)")
        }
        let crosswalk = try String(contentsOfFile: workspace + "/crosswalk.csv", encoding: .utf8)
        #expect(crosswalk.split(separator: "\n").count > 300)
        let rollback = try CLI.run(["rollback", "latest", "--workspace", workspace])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        let after = try CLI.run(["reconcile", "--workspace", workspace])
        #expect(after.status == ExitStatus.qualityGate.rawValue)
        #expect(after.stderr.contains("no batch of plan 1 is committed in this target"))
        let elsewhere = try CLI.run([
            "cutover", "latest", "--target", "sqlite:" + (try Paths.scratch()) + "/other.db", "--workspace", workspace,
        ])
        #expect(elsewhere.status != 0)
    }

    @Test("every subcommand has useful help")
    func help() throws {
        for command in ["peek", "profile", "samples", "map", "status", "explain"] {
            let result = try CLI.run([command, "--help"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("Examples:"), "\(command) --help has no examples")
        }
        #expect(try CLI.run(["--help"]).stdout.contains("Exit codes"))
    }
}
