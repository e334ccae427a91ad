import CustmigCore
import Foundation
import GRDB
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 21, item 4 for the stages that had no safe point: profile, samples, reconcile, purge and a
/// snapshot rollback stop on Ctrl-C with what was kept and the exact command that goes on. Profile and
/// samples get SIGINT from outside while they run; the others get it from inside at a named moment
/// (`CUSTMIG_FAULT=point:N:interrupt`), so the test does not depend on when the signal lands.
@Suite("Ctrl-C in profile, samples, reconcile, purge and a snapshot rollback", .serialized)
struct InterruptOtherStagesTests {
    @Test("samples: SIGINT stops the writing, removes the files begun and names the command that writes them again")
    func samples() throws {
        let folder = try Paths.scratch()
        let arguments = ["samples", "--rows", "400000", "--format", "csv", "--out", "s"]
        let child = try InterruptTests.Child(arguments, in: folder)
        #expect(child.wait(for: "samples: "), "progress lines: \(child.stderr)")
        let status = child.interrupt()
        let stderr = child.stderr
        #expect(status == 130, "\(stderr)")
        #expect(stderr.contains("safe point: nothing: "), "\(stderr)")
        #expect(stderr.contains("the files begun were removed (customers.csv, ground-truth.csv)"), "\(stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder + "/s")
        #expect(left.isEmpty, "no cut extract is left behind: \(left)")
        #expect(try InterruptTests.resumeCommand(in: stderr) == arguments)
    }

    @Test("profile: SIGINT stops between batches, writes no report and names the command that profiles again")
    func profile() throws {
        let folder = try InterruptTests.generated(rows: 100_000)
        let arguments = ["profile", "customers.csv", "--out", "r", "--workers", "1"]
        let child = try InterruptTests.Child(arguments, in: folder)
        #expect(child.wait(for: "profile customers.csv: "), "progress lines: \(child.stderr)")
        let status = child.interrupt()
        let stderr = child.stderr
        #expect(status == 130, "\(stderr)")
        #expect(stderr.contains("safe point: nothing: customers.csv was read "), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/r"), "no report folder")
        #expect(try InterruptTests.resumeCommand(in: stderr) == arguments)
        let rerun = try CLI.run(arguments + ["--quiet"], in: folder)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/r/customers.csv.profile.json"))
    }

    @Test(
        "reconcile stops between chunks keeping nothing; a snapshot rollback stops before restoring, target untouched")
    func reconcileAndSnapshotRollback() throws {
        let (folder, target, empty) = try InterruptTests.mappedWithEmptyTarget()
        #expect(try CLI.run(["dry-run", "--target", target, "--workspace", "w", "--quiet"], in: folder).status == 0)
        let cutover = try CLI.run(
            ["cutover", "latest", "--target", target, "--workspace", "w", "--allow-unapproved", "--quiet"], in: folder)
        #expect(cutover.status == 0, "\(cutover.stderr)")
        let loaded = try CutoverTests.dump(folder + "/t.db")
        #expect(loaded != empty)

        let reconcile = ["reconcile", "--target", target, "--workspace", "w"]
        let stopped = try CLI.run(
            reconcile, in: folder, environment: ["CUSTMIG_FAULT": "reconcile.chunk-checked:1:interrupt"])
        #expect(stopped.status == 130, "\(stopped.stderr)")
        #expect(
            stopped.stderr.contains("safe point: nothing to keep: a reconciliation only reads (4096 of "),
            "\(stopped.stderr)")
        #expect(try InterruptTests.resumeCommand(in: stopped.stderr) == reconcile)
        #expect(!stopped.stdout.contains("matches"), "no verdict from half a check: \(stopped.stdout)")
        #expect(try CLI.run(reconcile + ["--quiet"], in: folder).stdout.contains(": matches"))

        let rollback = ["rollback", "latest", "--mode", "snapshot", "--target", target, "--workspace", "w"]
        let interrupted = try CLI.run(
            rollback, in: folder, environment: ["CUSTMIG_FAULT": "rollback.safety-copied:1:interrupt"])
        #expect(interrupted.status == 130, "\(interrupted.stderr)")
        #expect(
            interrupted.stderr.contains("safe point: nothing: the target is unchanged, no row was restored"),
            "\(interrupted.stderr)")
        #expect(try InterruptTests.resumeCommand(in: interrupted.stderr) == rollback)
        #expect(try CutoverTests.dump(folder + "/t.db") == loaded, "the target is as the cutover left it")
        let copies = try FileManager.default.contentsOfDirectory(atPath: folder + "/w/snapshots").filter {
            $0.hasPrefix("before-rollback-")
        }
        #expect(copies.isEmpty, "no copy of a target that was not restored: \(copies)")
        let resumed = try CLI.run(rollback + ["--quiet"], in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try CutoverTests.dump(folder + "/t.db") == empty, "restored to before the cutover")
    }

    @Test("purge stops after a whole map run with its audit row; the rerun purges the rest and compacts")
    func purge() throws {
        let (folder, _, _) = try InterruptTests.mappedWithEmptyTarget()
        // A second map run needs another extract (the same one again resumes or repeats run 1).
        try FileManager.default.createDirectory(atPath: folder + "/other", withIntermediateDirectories: true)
        _ = try SampleGenerator(options: SampleOptions(rows: 2_000, seed: 5, formats: [.csv])).write(
            to: folder + "/other")
        let map = [
            "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), "other/customers.csv", "--workspace",
            "w", "--quiet",
        ]
        let second = try CLI.run(map, in: folder)
        #expect(second.status == 0 || second.status == 3, "\(second.stderr)")
        let purge = ["purge", "--run", "1", "--run", "2", "--workspace", "w"]
        let stopped = try CLI.run(purge, in: folder, environment: ["CUSTMIG_FAULT": "purge.run-purged:1:interrupt"])
        #expect(stopped.status == 130, "\(stopped.stderr)")
        #expect(
            stopped.stderr.contains("safe point: map runs 1 purged, each with its audit row; 2 not yet"),
            "\(stopped.stderr)")
        #expect(try InterruptTests.resumeCommand(in: stopped.stderr) == purge)
        let records = { (run: Int) in
            try DatabaseQueue(path: folder + "/w/ledger.sqlite").read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM canonical_record WHERE run_id = ?", arguments: [run])
                    ?? -1
            }
        }
        #expect(try records(1) == 0)
        #expect(try records(2) > 1_500, "run 2 is kept whole")
        let rerun = try CLI.run(purge, in: folder)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try records(2) == 0)
        #expect(rerun.stdout.contains("the ledger compacted from"), "\(rerun.stdout)")
    }
}
