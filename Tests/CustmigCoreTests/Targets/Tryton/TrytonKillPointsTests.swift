import CustmigCore
import Foundation
import Testing

/// kill -9 at every checkpoint of a cutover into Tryton, which has no transactions to roll a batch
/// back: after a batch's calls are journaled and before any is sent, after every call of a batch was
/// answered and before the outcome is journaled (the parties stand in Tryton, the journal says only
/// "pending"), and after the batch is committed. Each time the same command again loads every customer
/// exactly once, with a complete crosswalk and a clean reconciliation; a surgical rollback then empties
/// Tryton for the next kill.
extension TrytonTargetTests {
    @Test("a cutover killed at every checkpoint, rerun: every customer once, crosswalk complete, reconciled")
    func killedAtEveryCheckpoint() throws {
        let drill = try Drill()
        // Forty customers in batches of ten: four batches to kill between.
        let planned = try drill.plan(batchSize: 10) { text in
            let lines = Self.withoutVATAndIBAN(text).components(separatedBy: "\r\n")
            return lines.prefix(41).joined(separator: "\r\n") + "\r\n"
        }
        let inserts = try #require(Drill.count("insert", in: planned))
        #expect(inserts >= 30, "\(planned)")
        let cutover = ["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"]
        let rollback = ["rollback", "latest", "--workspace", drill.workspace, "--mode", "surgical"]
        var kills: [String: Int] = [:]
        for point in ["cutover.intents-journaled", "cutover.calls-landed", "cutover.batch-committed"] {
            for arrival in 1...10 {
                let output = try CLI.run(
                    cutover,
                    environment: [
                        "CUSTMIG_TARGET_PASSWORD": TrytonServer.password, "CUSTMIG_FAULT": "\(point):\(arrival)",
                    ])
                let label = "\(point):\(arrival)"
                if output.status == 0 {
                    // Fewer batches than arrivals: the run went through.
                    try Self.expectExactlyOnce(drill, inserts: inserts, refused: Self.refusedCount(output.stdout))
                } else {
                    #expect(output.status == 9, "\(label): \(output.status) \(output.stderr)")
                    kills[point, default: 0] += 1
                    let rerun = try drill.run(cutover)
                    #expect(rerun.status == 0, "\(label): \(rerun.stdout)\n\(rerun.stderr)")
                    try Self.expectExactlyOnce(drill, inserts: inserts, refused: Self.refusedCount(rerun.stdout))
                }
                let back = try drill.run(rollback)
                #expect(back.status == 0, "\(label): \(back.stdout)\n\(back.stderr)")
                #expect(try TrytonServer.parties().isEmpty, "\(label): \(back.stdout)")
                if output.status == 0 { break }
            }
        }
        #expect(kills.values.allSatisfy { $0 >= 4 } && kills.count == 3, "every batch killed at every point: \(kills)")
    }
}

extension TrytonTargetTests {
    @Test(
        "a surgical rollback killed at its checkpoints and between two customers' calls, rerun: Tryton as before the cutover"
    )
    func rollbackKilledAtCheckpoints() throws {
        let drill = try Drill()
        let planned = try drill.plan(batchSize: 10) { text in
            let lines = Self.withoutVATAndIBAN(text).components(separatedBy: "\r\n")
            return lines.prefix(41).joined(separator: "\r\n") + "\r\n"
        }
        let inserts = try #require(Drill.count("insert", in: planned))
        let rollback = ["rollback", "latest", "--workspace", drill.workspace, "--mode", "surgical"]
        // Every batch checkpoint; customers at the start, middle and end of batches (one call each).
        let points =
            [("rollback.started", 1)] + (1...4).map { ("rollback.batch-undone", $0) }
            + (1...3).map { ("rollback.batch-recorded", $0) }
            + [1, 6, 12, 25, inserts - 3].map { ("rollback.customer-undone", $0) }
        for (point, arrival) in points {
            let label = "\(point):\(arrival)"
            _ = try drill.cutover()
            #expect(try !TrytonServer.parties().isEmpty, "\(label): loaded")
            let killed = try CLI.run(
                rollback,
                environment: ["CUSTMIG_TARGET_PASSWORD": TrytonServer.password, "CUSTMIG_FAULT": label])
            #expect(killed.status == 9, "\(label): \(killed.status) \(killed.stderr)")
            let status = try drill.run(["status", "--workspace", drill.workspace]).stdout
            #expect(!status.contains("a rerun of the cutover"), "\(label): \(status)")
            let rerun = try drill.run(rollback)
            #expect(rerun.status == 0, "\(label): \(rerun.stdout)\n\(rerun.stderr)")
            #expect(try TrytonServer.parties().isEmpty, "\(label): \(rerun.stdout)")
            let after = try drill.run(["status", "--workspace", drill.workspace]).stdout
            #expect(after.contains("a new cutover of the plan starts at batch 1"), "\(label): \(after)")
        }
    }
}
