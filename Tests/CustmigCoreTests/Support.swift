import Foundation
import Testing

@testable import CustmigCore

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

/// The second line of crash tests: starts `custmig arguments` again and again, killing it with SIGKILL
/// after a random delay, until a run ends by itself or `maxKills` kills landed; returns the number of
/// kills. The delays come from a generator seeded with ``seed`` (`CUSTMIG_TEST_SEED` overrides it), so
/// a failure names the seed that reproduces its sequence of delays; how many kills land still depends
/// on the machine's speed, so no test asserts on it (``KillPoints`` covers every checkpoint exactly).
enum KillLoop {
    static let seed: UInt64 =
        ProcessInfo.processInfo.environment["CUSTMIG_TEST_SEED"].flatMap { UInt64($0) }
        ?? 20_261_206

    static func run(
        _ arguments: [String], attempts: Int, delays: ClosedRange<UInt32>, maxKills: Int = .max
    ) throws -> Int {
        var kills = 0
        // Each command's own sequence, so one test's delays do not depend on the tests run before it.
        var generator = SampleRandom(
            seed: seed ^ UInt64(truncatingIfNeeded: arguments.first?.utf8.reduce(0) { $0 &* 31 &+ Int($1) } ?? 0))
        for _ in 0..<attempts {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(delays.lowerBound + UInt32(generator.below(Int(delays.upperBound - delays.lowerBound) + 1)))
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

/// Deterministic crash tests: a command killed (SIGKILL) at the Nth arrival at a named `CUSTMIG_FAULT`
/// point, for N = 1, 2, … until a run finishes without reaching the point N times, each kill from a
/// fresh copy of the starting state. `check` then resumes and compares with an uninterrupted run.
enum KillPoints {
    /// Returns the number of kills per point; a point the command never reaches is a failure (the
    /// test would otherwise cover less than it says).
    @discardableResult
    static func sweep<State>(
        _ points: [String], limit: Int = 40, prepare: () throws -> State, arguments: (State) -> [String],
        check: (State, _ label: String) throws -> Void
    ) throws -> [String: Int] {
        var kills: [String: Int] = [:]
        for point in points {
            for arrival in 1...limit {
                let state = try prepare()
                let label = "\(point):\(arrival)"
                let result = try CLI.run(arguments(state), environment: ["CUSTMIG_FAULT": label])
                guard result.status == 9 else {
                    #expect([0, 3].contains(result.status), "\(label): \(result.status) \(result.stderr)")
                    break
                }
                kills[point, default: 0] += 1
                try check(state, label)
            }
            #expect(kills[point, default: 0] > 0, "\(point) was never reached")
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
