import Foundation
import Testing

@testable import CustmigCore

/// A snapshot is found whatever folder a later command runs from (issue: snapshot paths depended on the
/// folder the cutover ran in, so `purge` and a snapshot rollback run elsewhere missed a file that exists).
@Suite("snapshot locations")
struct SnapshotLocationTests {
    /// The sample loaded into a sandbox with a relative workspace from `first`, then `next` run from a
    /// second folder naming the same workspace relative to it.
    func loaded(then next: [String]) throws -> (result: CLI.Output, workspace: String) {
        let root = try Paths.scratch()
        let first = root + "/a"
        let second = root + "/b"
        for folder in [first, second] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let steps: [[String]] = [
            [
                "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), Paths.samples("customers.csv"),
                "--workspace", "ws",
            ],
            ["target", "init", "sqlite:\(root)/t.db", "--codes", Paths.samples("target-codes.csv")],
            ["dry-run", "--target", "sqlite:\(root)/t.db", "--workspace", "ws"],
            ["cutover", "latest", "--allow-unapproved", "--workspace", "ws"],
        ]
        for step in steps {
            let result = try CLI.run(step, in: first)
            #expect(result.status == 0 || (step[0] == "map" && result.status == 3), "\(step): \(result.stderr)")
        }
        return (try CLI.run(next + ["--workspace", "../a/ws"], in: second), first + "/ws")
    }

    @Test("a snapshot rollback run from another folder finds the snapshot the cutover took")
    func rollbackFromElsewhere() throws {
        let (rollback, _) = try loaded(then: ["rollback", "latest", "--mode", "snapshot"])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(!rollback.stderr.contains("SNAPSHOT-MISSING"), "\(rollback.stderr)")
    }

    @Test("purge run from another folder removes the snapshot file")
    func purgeFromElsewhere() throws {
        let (purge, workspace) = try loaded(then: ["purge", "--run", "1"])
        #expect(purge.status == 0, "\(purge.stdout)\n\(purge.stderr)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: workspace + "/snapshots")) ?? []
        #expect(left.filter { $0.hasSuffix(".sqlite") }.isEmpty, "\(left)\n\(purge.stdout)")
    }

    @Test("a path an older custmig recorded relative to another folder is found in the workspace's snapshots")
    func olderRelativeRecords() throws {
        let folder = try Paths.scratch()
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/plan-1-abc.sqlite"))
        #expect(Snapshot.resolved("ws/snapshots/plan-1-abc.sqlite", folder: folder) == folder + "/plan-1-abc.sqlite")
        #expect(Snapshot.resolved("ws/snapshots/gone.sqlite", folder: folder) == "ws/snapshots/gone.sqlite")
        #expect(Snapshot.resolved("/elsewhere/plan-1-abc.sqlite", folder: folder) == "/elsewhere/plan-1-abc.sqlite")
    }
}
