import CustmigCore
import Foundation
import GRDB
import Testing

/// Issue 25, item 5: kill -9 at every checkpoint of a surgical rollback (the `CUSTMIG_FAULT` points: after
/// the ledger says a rollback began, inside and after each batch's commit in the target, after the ledger
/// mirrors it)
/// leaves the ledger and the target telling one story: `status` names the rollback as the thing to rerun,
/// with the target's own count, never a rerun of the cutover; the rerun ends with both saying rolled back
/// and the business tables as before the cutover.
@Suite("A surgical rollback killed at every checkpoint", .serialized)
struct RollbackKillPointsTests {
    @Test("each kill point: status agrees with the target, the rerun finishes both", arguments: TargetKind.available)
    func everyCheckpoint(kind: TargetKind) throws {
        let drill = try TargetConformanceTests.Drill(kind)
        try drill.planGenerated(rows: 60, seed: 25, batchSize: 12)
        let before = try drill.dump(except: Self.bookkeeping)
        _ = try drill.cutover()
        let hash = try Self.ledger(drill) { db in try String.fetchOne(db, sql: "SELECT content_hash FROM plan") } ?? ""
        let batches = try Self.appliedInTarget(drill, hash: hash)
        #expect(batches >= 4, "a few batches to kill between: \(batches)")

        let points =
            [("rollback.started", 1)] + (1...batches).map { ("rollback.batch-inside-commit", $0) }
            + (1...batches).map { ("rollback.batch-undone", $0) }
            + (1..<batches).map { ("rollback.batch-recorded", $0) }
        for (point, arrival) in points {
            let killed = try CLI.run(
                ["rollback", "latest", "--workspace", drill.workspace],
                environment: ["CUSTMIG_FAULT": "\(point):\(arrival)"])
            #expect(killed.status == 9, "\(point):\(arrival) killed the rollback: \(killed.status) \(killed.stderr)")

            let applied = try Self.appliedInTarget(drill, hash: hash)
            // Inside its commit, the batch's undo is not committed: the target still holds it.
            let undone =
                point == "rollback.started" ? 0 : point == "rollback.batch-inside-commit" ? arrival - 1 : arrival
            #expect(applied == batches - undone, "\(point):\(arrival): the target committed each undo it reached")
            let status = try drill.run(["status", "--workspace", drill.workspace]).stdout
            #expect(!status.contains("a rerun of the cutover"), "\(point):\(arrival): \(status)")
            #expect(!status.contains("batches committed"), "\(point):\(arrival): \(status)")
            if applied == 0 {
                #expect(status.contains("cutover rolled back in the target"), "\(point):\(arrival): \(status)")
            } else {
                #expect(
                    status.contains(
                        "rollback interrupted: \(applied) of \(batches) batches still applied in the target"),
                    "\(point):\(arrival): \(status)")
            }
            #expect(status.contains("custmig rollback 1"), "\(point):\(arrival): \(status)")

            let rerun = try drill.run(["rollback", "latest", "--workspace", drill.workspace])
            #expect(rerun.status == 0, "\(point):\(arrival): \(rerun.stderr)")
            #expect(try Self.appliedInTarget(drill, hash: hash) == 0)
            let outcome = try Self.ledger(drill) { db in
                try Row.fetchOne(db, sql: "SELECT committed, outcome FROM cutover_progress WHERE plan_id = 1")
            }
            #expect(outcome?["committed"] == 0, "\(point):\(arrival)")
            #expect((outcome?["outcome"] as String?)?.hasPrefix("rolled back (surgical") == true, "\(point):\(arrival)")
            #expect(try drill.dump(except: Self.bookkeeping) == before, "\(point):\(arrival): the target as before")
            let after = try drill.run(["status", "--workspace", drill.workspace]).stdout
            #expect(after.contains("a new cutover of the plan starts at batch 1"), "\(point):\(arrival): \(after)")
            // The next point starts from the plan cut over again.
            _ = try drill.cutover()
            #expect(try Self.appliedInTarget(drill, hash: hash) == batches)
        }
    }

    /// The snapshots each cutover leaves (the rest, custmig's journal included, is as before the cutover).
    static let bookkeeping: Set<String> = ["custmig_snapshot"]

    static func ledger<T>(_ drill: TargetConformanceTests.Drill, _ read: (Database) throws -> T) throws -> T {
        let queue = try DatabaseQueue(path: drill.workspace + "/ledger.sqlite")
        defer { try? queue.close() }
        return try queue.read(read)
    }

    /// The plan's batches the target holds as applied (its checkpoints), read through the seam.
    static func appliedInTarget(_ drill: TargetConformanceTests.Drill, hash: String) throws -> Int {
        let target = try TargetRegistry.open(drill.target)
        defer { try? target.close() }
        return try target.committedBatches(planHash: hash).count
    }
}
