import CustmigCore
import Foundation
import Testing

/// kill -9 at every checkpoint of a map run (the `CUSTMIG_FAULT` points: after the run is registered,
/// inside and after each chunk's commit, inside and after each staged chunk of a joined source, after
/// the reject report), then the same command again: the ledger ends as after an uninterrupted run.
/// Deterministic, unlike the random-delay kill loop in `MapCrashTests`.
@Suite("A map run killed at every checkpoint", .serialized)
struct MapKillPointsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let mapping: String
        let files: [String]
        let rows: Int
        let points: [String]
        var testDescription: String { mapping }
    }

    @Test(
        "each kill point: the rerun resumes and the ledger is the uninterrupted run's",
        arguments: [
            Case(
                mapping: "legacy-flat-csv", files: ["customers.csv"], rows: 500,
                points: ["map.started", "map.chunk-inside-commit", "map.chunk-committed", "map.reported"]),
            Case(
                mapping: "sap-tables", files: ["KNA1.txt", "KNVV.txt", "KNVP.txt", "KNB1.txt", "KNBK.txt", "KNVK.txt"],
                rows: 120, points: ["map.staged-inside-commit", "map.staged", "map.chunk-inside-commit"]),
        ])
    func everyCheckpoint(_ testCase: Case) throws {
        let data = try Paths.scratch()
        var options = SampleOptions(rows: testCase.rows, seed: 41, brokenShare: 0.02)
        options.sapTables = testCase.mapping == "sap-tables"
        _ = try SampleGenerator(options: options).write(to: data)
        let mapping = MappingLoaderTests.shipped(testCase.mapping)
        func arguments(_ workspace: String) -> [String] {
            ["map", "--mapping", mapping] + testCase.files.map { data + "/" + $0 } + [
                "--workspace", workspace, "--chunk", "150", "--quiet",
            ]
        }
        let reference = try Paths.scratch()
        let clean = try CLI.run(arguments(reference))
        #expect(clean.status == 0 || clean.status == 3, "\(clean.stderr)")
        let expected = try LedgerDump.of(reference)
        #expect(expected.count > testCase.rows, "records, findings and malformed lines to compare")

        let kills = try KillPoints.sweep(testCase.points, prepare: { try Paths.scratch() }, arguments: arguments) {
            workspace, label in
            let status = try CLI.run(["status", "--workspace", workspace]).stdout
            #expect(status.contains("interrupted — rerun its command to resume"), "\(label): \(status)")
            // What the status says is committed: the chunks before the kill (150 records each).
            let arrival = Int(label.split(separator: ":").last ?? "") ?? 0
            let chunks =
                label.hasPrefix("map.chunk-committed")
                ? arrival : label.hasPrefix("map.chunk-inside") ? arrival - 1 : nil
            if testCase.mapping == "legacy-flat-csv", let chunks, !status.contains(", done") {
                #expect(status.contains("\(chunks * 150) records committed"), "\(label): \(status)")
            }
            let resumed = try CLI.run(arguments(workspace))
            #expect(resumed.status == clean.status, "\(label): \(resumed.stderr)")
            #expect(try LedgerDump.of(workspace) == expected, "\(label): the ledger as after an uninterrupted run")
            #expect(try CLI.run(arguments(workspace)).stdout.contains("nothing to do"), "\(label)")
        }
        #expect(kills["map.chunk-committed", default: 0] >= 3 || testCase.mapping == "sap-tables", "\(kills)")
    }
}
