import Foundation
import Testing

/// Every command in the runbooks must work as written: each `sh` block runs in a scratch folder
/// holding a copy of `Samples/` and `Mappings/`, with the built `custmig` first on the PATH.
@Suite("Runbooks", .serialized)
struct RunbookTests {
    static var runbooks: [String] {
        let folder = Paths.repository.appendingPathComponent("Runbooks").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".md") }.sorted().map { folder + "/" + $0 }
    }

    /// The shell lines of a Markdown file's ```sh blocks, in order.
    static func commands(in markdown: String) -> [String] {
        var commands: [String] = []
        var inBlock = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inBlock = !inBlock && line.trimmingCharacters(in: .whitespaces) == "```sh"
                continue
            }
            let command = line.trimmingCharacters(in: .whitespaces)
            if inBlock && !command.isEmpty && !command.hasPrefix("#") { commands.append(command) }
        }
        return commands
    }

    @Test("there are runbooks, and each has commands")
    func present() throws {
        #expect(!Self.runbooks.isEmpty)
        for runbook in Self.runbooks {
            #expect(!Self.commands(in: try String(contentsOfFile: runbook, encoding: .utf8)).isEmpty, "\(runbook)")
        }
    }

    /// libpq's variables for the test server (a runbook into PostgreSQL names it by `PG*` variables,
    /// as a migration team does); nil when there is none.
    static var postgresEnvironment: [String: String]? {
        guard let uri = TargetKind.postgresURI, let parts = URLComponents(string: uri) else { return nil }
        return [
            "PGHOST": parts.host ?? "127.0.0.1", "PGPORT": String(parts.port ?? 5432),
            "PGUSER": parts.user ?? "postgres",
            "PGDATABASE": String(parts.path.dropFirst()),
        ]
    }

    @Test("every runbook command exits 0")
    func commandsWork() throws {
        for runbook in Self.runbooks {
            let text = try String(contentsOfFile: runbook, encoding: .utf8)
            // A Tryton runbook runs in the Tryton suite, which owns the shared server.
            if text.contains("tryton://") { continue }
            let needsPostgres = text.contains("postgresql://")
            if needsPostgres, TargetKind.available == [.sqlite] {
                print("note: \(runbook) skipped: it needs a PostgreSQL server (set CUSTMIG_TEST_POSTGRES).")
                continue
            }
            try Self.run(runbook, environment: needsPostgres ? Self.postgresEnvironment ?? [:] : [:])
        }
    }

    @Test("the README's ten-minute tour works as written")
    func readmeTour() throws {
        let readme = try String(
            contentsOfFile: Paths.repository.appendingPathComponent("README.md").path, encoding: .utf8)
        let section = try #require(
            readme.components(separatedBy: "## Ten minutes from extract to target").dropFirst().first)
        let block = try #require(section.components(separatedBy: "\n## ").first)
        #expect(Self.commands(in: block).count >= 8, "\(block.prefix(300))")
        let scratch = try Paths.scratch()
        try block.write(toFile: scratch + "/tour.md", atomically: true, encoding: .utf8)
        try Self.run([scratch + "/tour.md"], environment: [:])
    }

    @Test("the runbooks followed one after the other in one folder, as a team does: every command exits 0")
    func inSequence() throws {
        let sequence = Self.runbooks.filter { runbook in
            let text = (try? String(contentsOfFile: runbook, encoding: .utf8)) ?? ""
            return !text.contains("tryton://") && !(text.contains("postgresql://") && TargetKind.available == [.sqlite])
        }
        #expect(sequence.count >= 7, "\(sequence)")
        let needsPostgres = sequence.contains {
            ((try? String(contentsOfFile: $0, encoding: .utf8)) ?? "").contains("postgresql://")
        }
        try Self.run(sequence, environment: needsPostgres ? Self.postgresEnvironment ?? [:] : [:])
    }

    /// Runs a runbook's commands in a scratch folder with a copy of `Samples/` and `Mappings/`, with
    /// `environment` added; each must exit 0.
    static func run(_ runbook: String, environment extra: [String: String]) throws {
        try run([runbook], environment: extra)
    }

    /// Runs the runbooks' commands in order in one scratch folder; each must exit 0, and a `cp -r` must
    /// not land in a folder an earlier command made (it would copy into it, and a later command would
    /// silently use what was there).
    static func run(_ runbooks: [String], environment extra: [String: String]) throws {
        let scratch = try Paths.scratch()
        for folder in ["Samples", "Mappings"] {
            try FileManager.default.copyItem(
                atPath: Paths.repository.appendingPathComponent(folder).path, toPath: scratch + "/" + folder)
        }
        let binaryFolder = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path
        for runbook in runbooks {
            for command in Self.commands(in: try String(contentsOfFile: runbook, encoding: .utf8)) {
                let words = command.split(separator: " ")
                if words.count == 4, words[0] == "cp", words[1] == "-r" {
                    #expect(
                        !FileManager.default.fileExists(atPath: scratch + "/" + words[3]),
                        "\(runbook): `\(command)` copies into \(words[3]), which an earlier runbook made")
                }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                process.currentDirectoryURL = URL(fileURLWithPath: scratch)
                var environment = ProcessInfo.processInfo.environment
                environment["PATH"] = binaryFolder + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
                environment.merge(extra) { _, new in new }
                process.environment = environment
                process.standardOutput = FileHandle.nullDevice
                let errorsPath = scratch + "/stderr.txt"
                _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)
                let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorsPath))
                process.standardError = errors
                try process.run()
                process.waitUntilExit()
                try errors.close()
                let stderr = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
                #expect(process.terminationStatus == 0, "\(runbook): `\(command)` failed: \(stderr.suffix(500))")
            }
        }
    }
}
