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
        /// Rules added to the shipped mapping (YAML list items), for cases the shipped ones lack.
        var addedRules: String? = nil
        var testDescription: String {
            files.joined(separator: " + ") + (addedRules == nil ? "" : " (with a unique rule)")
        }

        /// The mapping file to run: the shipped one, or a copy of its folder with `addedRules`.
        func mappingPath() throws -> String {
            let shipped = MappingLoaderTests.shipped(mapping)
            guard let addedRules else { return shipped }
            let folder = try Paths.scratch() + "/mapping"
            try FileManager.default.copyItem(atPath: (shipped as NSString).deletingLastPathComponent, toPath: folder)
            let yaml = try String(contentsOfFile: folder + "/mapping.yaml", encoding: .utf8)
            try yaml.replacingOccurrences(of: "rules:\n", with: "rules:\n" + addedRules)
                .write(toFile: folder + "/mapping.yaml", atomically: true, encoding: .utf8)
            return folder + "/mapping.yaml"
        }
    }

    @Test(
        "killed at random moments, resumed, the same result as an uninterrupted run",
        arguments: [
            Case(mapping: "legacy-flat-csv", files: ["customers.csv"], rows: 6_000),
            Case(
                mapping: "legacy-flat-csv", files: ["customers.csv"], rows: 6_000,
                addedRules: "  - {id: vat-unique, unique: vat_id, message: two customers share a VAT id}\n"),
            Case(mapping: "sap-debmas07", files: ["debmas07.xml"], rows: 2_500),
            Case(
                mapping: "sap-tables", files: ["KNA1.txt", "KNVV.txt", "KNVP.txt", "KNB1.txt", "KNBK.txt", "KNVK.txt"],
                rows: 2_500),
        ])
    func killAndResume(_ testCase: Case) throws {
        let data = try Paths.scratch()
        var options = SampleOptions(rows: testCase.rows, seed: 99, brokenShare: 0.01)
        options.sapTables = testCase.mapping == "sap-tables"
        _ = try SampleGenerator(options: options).write(to: data)
        let extracts = testCase.files.map { data + "/" + $0 }
        let mapping = try testCase.mappingPath()

        let reference = try Paths.scratch()
        let clean = try CLI.run(
            ["map", "--mapping", mapping] + extracts + ["--workspace", reference, "--chunk", "150"])
        #expect(clean.status == 0, "\(clean.stderr)")

        let crashed = try Paths.scratch()
        let kills = try KillLoop.run(
            ["map", "--mapping", mapping] + extracts + ["--workspace", crashed, "--chunk", "150"], attempts: 40,
            delays: 30_000...400_000, maxKills: 12)
        let final = try CLI.run(["map", "--mapping", mapping] + extracts + ["--workspace", crashed, "--chunk", "150"])
        #expect(final.status == 0, "\(final.stderr)")
        let expected = try LedgerDump.of(reference)
        let actual = try LedgerDump.of(crashed)
        #expect(expected.count == actual.count)
        #expect(expected == actual, "\(kills) kills, seed \(KillLoop.seed)")
        if testCase.addedRules != nil {
            #expect(expected.contains { $0.contains("vat-unique") }, "the sample has no repeated VAT id to test with")
        }
        let again = try CLI.run(["map", "--mapping", mapping] + extracts + ["--workspace", crashed, "--chunk", "150"])
        #expect(again.stdout.contains("nothing to do"))
    }
}
