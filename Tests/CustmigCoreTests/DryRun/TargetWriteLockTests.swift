import Foundation
import Testing

@testable import CustmigCore

/// Issue 25, item 9: nothing locked the target, so a second workspace's cutover snapshot was taken while
/// the first was nine batches in, and its snapshot rollback (of a plan that applied nothing) threw away
/// 19,441 of the first load's customers.
@Suite("One writer per target")
struct TargetWriteLockTests {
    /// A second workspace mapped from the same sample, planned against the same target.
    static func secondWorkspace(_ sample: MappedSample) throws -> String {
        let workspace = sample.folder + "/w2"
        _ = try CLI.run([
            "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), Paths.samples("customers.csv"),
            "--workspace", workspace,
        ])
        return workspace
    }

    @Test("a cutover and a rollback are refused while another holds the target, naming it; they work after")
    func refusedWhileHeld() throws {
        let sample = try MappedSample()
        let planned = try CLI.run(["dry-run", "--target", sample.target, "--workspace", sample.workspace])
        #expect(planned.status == 0, "\(planned.stderr)")
        let target = try TargetRegistry.open(sample.target)
        var lock: TargetWriteLock? = try target.lockForWriting(
            holder: TargetWriteLock.holder(workspace: "/elsewhere/ws", command: "custmig cutover 7"))
        let cutover = try CLI.run(["cutover", "latest", "--allow-unapproved", "--workspace", sample.workspace])
        #expect(cutover.status == 5, "\(cutover.stderr)")
        #expect(cutover.stderr.contains("[TARGET-LOCKED]"), "\(cutover.stderr)")
        #expect(cutover.stderr.contains("workspace /elsewhere/ws (pid \(getpid())"), "\(cutover.stderr)")
        #expect(cutover.stderr.contains("running `custmig cutover 7`"))
        #expect(try target.committedBatches(planHash: "").isEmpty)
        let rollback = try CLI.run(["rollback", "latest", "--workspace", sample.workspace])
        #expect(rollback.status == 5 && rollback.stderr.contains("[TARGET-LOCKED]"), "\(rollback.stderr)")
        #expect(throws: CustmigError.self) { _ = try target.lockForWriting(holder: "a second holder, same process") }
        lock = nil
        _ = lock
        let after = try CLI.run(["cutover", "latest", "--allow-unapproved", "--workspace", sample.workspace])
        #expect(after.status == 0, "\(after.stderr)")
        try target.close()
    }

    @Test(
        "a target's lock file goes with its lock; one left by a killed holder is taken over; a file opened before the holder let go is not a lock"
    )
    func lockFileGoesWithTheLock() throws {
        let path = try Paths.scratch() + "/target.lock"
        func lock(_ label: String) throws -> LabelledFileLock {
            try LabelledFileLock(
                path: path, label: label, removedOnRelease: true,
                cannotOpen: { CustmigError(.unreadableInput, code: "T", $0) },
                heldBy: { CustmigError(.locked, code: "TARGET-LOCKED", $0) })
        }
        var first: LabelledFileLock? = try lock("first holder")
        #expect(FileManager.default.fileExists(atPath: path))
        do {
            _ = try lock("second")
            Issue.record("a second holder got the lock")
        } catch let error as CustmigError {
            #expect(error.message.contains("first holder"))
        }
        // A process that opened the file just before the holder let go of it.
        let late = open(path, O_RDWR)
        #expect(late >= 0)
        defer { close(late) }
        first = nil
        _ = first
        #expect(!FileManager.default.fileExists(atPath: path), "the lock file is left behind")
        var next: LabelledFileLock? = try lock("next holder")
        // The late opener can lock its file, but the path names another one now: it must start over.
        #expect(flock(late, LOCK_EX | LOCK_NB) == 0)
        #expect(!LabelledFileLock.isNamed(late, by: path))
        let current = open(path, O_RDONLY)
        #expect(LabelledFileLock.isNamed(current, by: path))
        close(current)
        #expect(throws: CustmigError.self) { _ = try lock("third") }
        next = nil
        _ = next
        // A holder killed while holding leaves its file, unlocked: the next one takes it and removes it.
        #expect(FileManager.default.createFile(atPath: path, contents: Data("killed holder".utf8)))
        var taken: LabelledFileLock? = try lock("after a kill")
        #expect(FileManager.default.fileExists(atPath: path))
        taken = nil
        _ = taken
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a snapshot rollback of a plan with no batch applied is refused; the other workspace's load stays")
    func snapshotRollbackOfNothing() throws {
        let sample = try MappedSample()
        let other = try Self.secondWorkspace(sample)
        // Workspace 2 loads and rolls back surgically: its snapshot exists, none of its batches is applied.
        for step in [
            ["dry-run", "--target", sample.target, "--workspace", other],
            ["cutover", "latest", "--allow-unapproved", "--workspace", other],
            ["rollback", "latest", "--workspace", other],
            // Workspace 1 loads the customers.
            ["dry-run", "--target", sample.target, "--workspace", sample.workspace],
            ["cutover", "latest", "--allow-unapproved", "--workspace", sample.workspace],
        ] {
            let result = try CLI.run(step)
            #expect(result.status == 0, "\(step): \(result.stderr)")
        }
        let target = try TargetRegistry.open(sample.target)
        let loaded = try target.customerIds().count
        #expect(loaded > 300)
        let restore = try CLI.run(["rollback", "1", "--mode", "snapshot", "--workspace", other])
        #expect(restore.status == 64, "\(restore.stdout)\(restore.stderr)")
        #expect(restore.stderr.contains("[ROLLBACK-NOTHING-APPLIED]"), "\(restore.stderr)")
        #expect(try target.customerIds().count == loaded, "the first workspace's load is still there")
        try target.close()
    }
}
