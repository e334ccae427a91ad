import Foundation
import GRDB
import Testing

/// Issue 25, item 11: a killed `duplicates` run left no trace, and the next dry run planned without
/// merges and without a word. The run is now in the ledger from its start; the dry run warns.
@Suite("A killed duplicates run is not forgotten")
struct KilledDuplicatesRunTests {
    @Test("killed while matching: the ledger says interrupted, the dry run warns that its merges are missing")
    func warned() throws {
        let folder = try Paths.scratch()
        let workspace = folder + "/w"
        let target = "sqlite:\(folder)/t.db"
        for step in [
            ["samples", "--rows", "6000", "--out", folder + "/data", "--format", "csv"],
            [
                "map", folder + "/data/customers.csv", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"),
                "--workspace", workspace,
            ],
            ["target", "init", target, "--codes", Paths.samples("target-codes.csv")],
        ] {
            let result = try CLI.run(step)
            #expect(result.status == 0 || result.status == 3, "\(step): \(result.stderr)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["duplicates", "--workspace", workspace]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var configuration = Configuration()
        configuration.readonly = true
        let ledger = try DatabaseQueue(path: workspace + "/ledger.sqlite", configuration: configuration)
        var started = false
        for _ in 0..<3_000 where !started {
            started =
                (try? ledger.read { db in
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM run WHERE stage = 'duplicates' AND status = 'running'")
                }) == 1
            if !started { usleep(10_000) }
        }
        #expect(started, "the duplicates run is in the ledger while it works")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try ledger.close()

        let planned = try CLI.run(["dry-run", "--target", target, "--workspace", workspace])
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(
            planned.stdout.contains(
                "warning: duplicates run 2 for map run 1 was stopped before it finished; this plan merges no duplicates"
            ),
            "\(planned.stdout.prefix(900))")
        let finished = try CLI.run(["duplicates", "--workspace", workspace])
        #expect(finished.status == 0, "\(finished.stderr)")
        let again = try CLI.run(["dry-run", "--target", target, "--workspace", workspace])
        #expect(!again.stdout.contains("was stopped before it finished"), "\(again.stdout.prefix(900))")
        #expect(again.stdout.contains("duplicates run 3"), "\(again.stdout.prefix(400))")
    }
}
