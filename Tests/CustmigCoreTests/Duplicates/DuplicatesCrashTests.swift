import CustmigCore
import Foundation
import GRDB
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Kills `custmig duplicates` at random moments and checks that the rerun ends with exactly the key map
/// and survivors of an uninterrupted run (the stage commits everything in one transaction).
@Suite("Duplicates: kill and rerun", .serialized)
struct DuplicatesCrashTests {
    static func dump(_ workspace: String) throws -> [String] {
        let ledger = try Ledger(path: workspace + "/ledger.sqlite")
        return try ledger.database.read { db in
            try Row.fetchAll(db, sql: "SELECT legacy_key, golden_key FROM key_map ORDER BY legacy_key").map { "\($0)" }
                + Row.fetchAll(db, sql: "SELECT golden_key, members, data FROM survivor ORDER BY golden_key").map {
                    "\($0)"
                }
        }
    }

    @Test("killed at random moments, rerun: the same key map and survivors")
    func killAndRerun() throws {
        let data = try Paths.scratch()
        _ = try SampleGenerator(options: SampleOptions(rows: 4_000, seed: 31, formats: [.csv])).write(to: data)
        let mapping = MappingLoaderTests.shipped("legacy-flat-csv")
        let reference = try Paths.scratch()
        let crashed = try Paths.scratch()
        for workspace in [reference, crashed] {
            #expect(
                try CLI.run(["map", "--mapping", mapping, data + "/customers.csv", "--workspace", workspace]).status
                    == 0)
        }
        #expect(try CLI.run(["duplicates", "--workspace", reference]).status == 0)
        let kills = try KillLoop.run(["duplicates", "--workspace", crashed], attempts: 8, delays: 20_000...300_000)
        let final = try CLI.run(["duplicates", "--workspace", crashed])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(try Self.dump(reference) == Self.dump(crashed), "\(kills) kills, seed \(KillLoop.seed)")
    }
}

/// kill -9 inside and after the one transaction that stores a duplicates run, then the same command
/// again: the key map and survivors of an uninterrupted run. Deterministic, beside the kill loop above.
@Suite("Duplicates: killed at its commit")
struct DuplicatesKillPointsTests {
    @Test("each kill point: the rerun stores the uninterrupted run's key map and survivors")
    func everyCheckpoint() throws {
        let data = try Paths.scratch()
        _ = try SampleGenerator(options: SampleOptions(rows: 800, seed: 31, formats: [.csv])).write(to: data)
        let mapping = MappingLoaderTests.shipped("legacy-flat-csv")
        func mapped() throws -> String {
            let workspace = try Paths.scratch()
            let map = try CLI.run(["map", "--mapping", mapping, data + "/customers.csv", "--workspace", workspace])
            #expect(map.status == 0 || map.status == 3, "\(map.stderr)")
            return workspace
        }
        let reference = try mapped()
        #expect(try CLI.run(["duplicates", "--workspace", reference]).status == 0)
        let expected = try DuplicatesCrashTests.dump(reference)
        #expect(expected.contains { $0.contains("members") }, "the sample has duplicates to merge")
        try KillPoints.sweep(
            ["duplicates.inside-commit", "duplicates.committed"], prepare: mapped,
            arguments: { ["duplicates", "--workspace", $0, "--quiet"] }
        ) { workspace, label in
            let rerun = try CLI.run(["duplicates", "--workspace", workspace])
            #expect(rerun.status == 0, "\(label): \(rerun.stderr)")
            #expect(try DuplicatesCrashTests.dump(workspace) == expected, "\(label)")
        }
    }
}
