import Foundation
import GRDB
import Testing

@testable import CustmigCore

/// Issue 25, item 5: a surgical rollback killed after its last batch, before it wrote the ledger, left the
/// target rolled back and the ledger saying the cutover was done; a rerun said "nothing left to undo" and
/// `status` told the operator to rerun the cutover. The target is authoritative: both now say what it holds.
@Suite("A rollback stopped after its last batch")
struct RollbackLedgerCatchUpTests {
    @Test("status says rolled back in the target; the rerun records it in the ledger")
    func catchUp() throws {
        let sample = try MappedSample()
        try sample.cutOver()
        // Every batch undone in the target, as the rollback does, and the ledger never told: the state a
        // kill -9 between the last batch's commit and the ledger's write leaves.
        let hash = try DatabaseQueue(path: sample.workspace + "/ledger.sqlite").read { db in
            try String.fetchOne(db, sql: "SELECT content_hash FROM plan ORDER BY id DESC LIMIT 1")
        }
        let target = try TargetRegistry.open(sample.target)
        let batches = try target.undoBatches(planHash: try #require(hash))
        #expect(!batches.isEmpty)
        for batch in batches { _ = try target.undo(batch: batch, planHash: hash!, isLast: batch == batches.last) }
        #expect(try target.customerIds().isEmpty)
        try target.close()

        let before = try CLI.run(["status", "--workspace", sample.workspace])
        #expect(
            before.stdout.contains("cutover rolled back in the target, while the ledger still mirrors"),
            "\(before.stdout)")
        #expect(!before.stdout.contains("a rerun of the cutover"), "\(before.stdout)")

        let rerun = try CLI.run(["rollback", "latest", "--workspace", sample.workspace])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("nothing left to undo"))
        #expect(rerun.stdout.contains("it now records the plan as rolled back"), "\(rerun.stdout)")

        let after = try CLI.run(["status", "--workspace", sample.workspace])
        #expect(
            after.stdout.contains("cutover rolled back (surgical); a new cutover of the plan starts at batch 1"),
            "\(after.stdout)")
        let again = try CLI.run(["rollback", "latest", "--workspace", sample.workspace])
        #expect(!again.stdout.contains("it now records"), "once recorded, a rerun has nothing to catch up")
    }
}
