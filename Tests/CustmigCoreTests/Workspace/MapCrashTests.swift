import CustmigCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Kills `custmig map` with SIGKILL at random moments, resumes each time, and compares the ledger with
/// an uninterrupted run's: nothing lost, nothing duplicated, nothing different.
@Suite("Map: kill and resume", .serialized)
struct MapCrashTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let mapping: String
        let files: [String]
        let rows: Int
        var testDescription: String { files.joined(separator: " + ") }
    }

    @Test(
        "killed at random moments, resumed, the same result as an uninterrupted run",
        arguments: [
            Case(mapping: "legacy-flat-csv", files: ["customers.csv"], rows: 6_000),
            Case(mapping: "sap-debmas07", files: ["debmas07.xml"], rows: 2_500),
            Case(mapping: "sap-tables", files: ["KNA1.txt", "KNVV.txt", "KNVP.txt", "KNB1.txt", "KNBK.txt", "KNVK.txt"], rows: 2_500),
        ])
    func killAndResume(_ testCase: Case) throws {
        let data = try Paths.scratch()
        var options = SampleOptions(rows: testCase.rows, seed: 99, brokenShare: 0.01)
        options.sapTables = testCase.mapping == "sap-tables"
        _ = try SampleGenerator(options: options).write(to: data)
        let extracts = testCase.files.map { data + "/" + $0 }
        let mapping = MappingLoaderTests.shipped(testCase.mapping)

        let reference = try Paths.scratch()
        let clean = try CLI.run(["map", "--mapping", mapping] + extracts + ["--workspace", reference, "--chunk", "150"])
        #expect(clean.status == 0, "\(clean.stderr)")

        let crashed = try Paths.scratch()
        let kills = try KillLoop.run(
            ["map", "--mapping", mapping] + extracts + ["--workspace", crashed, "--chunk", "150"], attempts: 40,
            delays: 30_000...400_000, maxKills: 12)
        let final = try CLI.run(["map", "--mapping", mapping] + extracts + ["--workspace", crashed, "--chunk", "150"])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(kills >= 3, "only \(kills) kills landed; the run finished too fast to test resuming")
        let expected = try LedgerDump.of(reference)
        let actual = try LedgerDump.of(crashed)
        #expect(expected.count == actual.count)
        #expect(expected == actual)
        let again = try CLI.run(["map", "--mapping", mapping] + extracts + ["--workspace", crashed, "--chunk", "150"])
        #expect(again.stdout.contains("nothing to do"))
    }
}
