import CustmigCore
import Foundation
import Testing

/// Where test fixtures and the repository's own folders are, found from this file's path.
enum Paths {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repository = testsFolder.deletingLastPathComponent().deletingLastPathComponent()

    static func fixture(_ name: String) -> String { testsFolder.appendingPathComponent("Fixtures/\(name)").path }
    static func samples(_ name: String) -> String { repository.appendingPathComponent("Samples/\(name)").path }

    /// A fresh temporary folder for one test, inside this test process's own root (see `ScratchRoot`).
    static func scratch() throws -> String {
        let path = ScratchRoot.path + "/" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// One folder per test process holding every scratch folder, removed when the process exits, so a
/// test run does not leave thousands of workspaces and targets (up to ~90 MB each) in the temporary
/// folder. Roots left by test processes that died (killed, crashed) are removed by the next run.
enum ScratchRoot {
    static let prefix = "custmig-tests-"

    static let path: String = {
        let temporary = NSTemporaryDirectory()
        removeAbandoned(in: temporary)
        let path = temporary + prefix + String(getpid())
        try? FileManager.default.removeItem(atPath: path)
        atexit { try? FileManager.default.removeItem(atPath: ScratchRoot.path) }
        return path
    }()

    /// Removes the roots of test processes that no longer run.
    private static func removeAbandoned(in temporary: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: temporary + name) }
        }
    }
}

/// Everything a reader produced for a file.
struct ReadResult {
    var description: ExtractDescription
    var records: [Record]
    var findings: [Finding]
    var malformed: Int

    var errors: [Finding] { findings.filter { $0.severity == .error } }

    static func read(_ path: String, _ options: ExtractOptions = ExtractOptions()) throws -> ReadResult {
        let reader = try ExtractOpener.open(path: path, options: options)
        var records: [Record] = []
        var findings: [Finding] = []
        while let record = try reader.next() {
            records.append(record)
            findings += reader.drainFindings()
        }
        findings += reader.drainFindings()
        return ReadResult(
            description: reader.description, records: records, findings: findings, malformed: reader.malformedCount)
    }
}

extension Record {
    /// The text of a top-level field, for assertions.
    func text(_ name: String) -> String? { self[name]?.text }
}

#if canImport(Glibc)
    import Glibc
#endif

/// Crash tests: starts `custmig arguments` again and again, killing it with SIGKILL after a random
/// delay, until a run ends by itself or `maxKills` kills landed; returns the number of kills.
enum KillLoop {
    static func run(
        _ arguments: [String], attempts: Int, delays: ClosedRange<UInt32>, maxKills: Int = .max
    ) throws -> Int {
        var kills = 0
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<attempts {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: delays, using: &generator))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            if process.terminationReason == .exit || kills >= maxKills { break }
        }
        return kills
    }
}

/// The bundled flat CSV mapped into a new workspace beside a SQLite sandbox holding the sample code
/// lists: the starting point of the tests that plan, load and report.
struct MappedSample {
    let folder: String
    let workspace: String
    let target: String

    init() throws {
        folder = try Paths.scratch()
        workspace = folder + "/w"
        target = "sqlite:\(folder)/t.db"
        let mapped = try CLI.run([
            "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), Paths.samples("customers.csv"),
            "--workspace", workspace,
        ])
        #expect(mapped.status == 0 || mapped.status == 3, "\(mapped.stderr)")
        let created = try CLI.run(["target", "init", target, "--codes", Paths.samples("target-codes.csv")])
        #expect(created.status == 0, "\(created.stderr)")
    }

    /// Plans against the sandbox and cuts the plan over (unapproved, as a rehearsal).
    func cutOver() throws {
        for step in [
            ["dry-run", "--target", target, "--workspace", workspace],
            ["cutover", "latest", "--allow-unapproved", "--workspace", workspace],
        ] {
            let result = try CLI.run(step)
            #expect(result.status == 0, "\(step): \(result.stderr)")
        }
    }
}

extension Address {
    /// A legal address with the fields matching compares.
    static func legal(street: String?, postalCode: String?, city: String?, country: String?) -> Address {
        var address = Address()
        address.street = street
        address.postalCode = postalCode
        address.city = city
        address.country = country
        return address
    }
}
