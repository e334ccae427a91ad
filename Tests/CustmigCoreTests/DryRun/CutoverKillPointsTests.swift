import Foundation
import Testing

/// kill -9 at every checkpoint of a cutover (the `CUSTMIG_FAULT` points: after the snapshot, inside each
/// batch's transaction in the target with all its rows written, after its commit before the ledger
/// mirrors it, after each mirror), then the same command
/// again: the target ends byte for byte as after an uninterrupted cutover, and `status` after the kill
/// names the batch the rerun continues at. Deterministic, unlike the random-delay kill loop beside it.
@Suite("A cutover killed at every checkpoint", .serialized)
struct CutoverKillPointsTests {
    @Test("each kill point: status names the resume, the rerun ends as an uninterrupted cutover")
    func everyCheckpoint() throws {
        let setup = try CutoverTests.planned(rows: 300)
        let reference = try CutoverTests.copy(of: setup, as: "reference")
        let whole = try CLI.run(CutoverTests.cutoverArguments(target: reference.target, workspace: reference.workspace))
        #expect(whole.status == 0, "\(whole.stderr)")
        let expected = try CutoverTests.dump(reference.target).replacingOccurrences(of: reference.target, with: "")
        let batches = try #require(
            whole.stdout.split(separator: " ").firstIndex(of: "batches").map {
                Int(whole.stdout.split(separator: " ")[$0 - 1])
            } ?? nil,
            "\(whole.stdout)")
        #expect(batches >= 4, "\(whole.stdout)")

        let points =
            [("cutover.snapshot-taken", 1)] + (1...batches).map { ("cutover.batch-inside-commit", $0) }
            + (1...batches).map { ("cutover.batch-committed", $0) }
            + (1..<batches).map { ("cutover.batch-recorded", $0) }
        for (number, (point, arrival)) in points.enumerated() {
            let run = try CutoverTests.copy(of: setup, as: "kill-\(number)")
            let arguments = CutoverTests.cutoverArguments(target: run.target, workspace: run.workspace)
            let killed = try CLI.run(arguments, environment: ["CUSTMIG_FAULT": "\(point):\(arrival)"])
            #expect(killed.status == 9, "\(point):\(arrival): \(killed.status) \(killed.stderr)")
            // Inside its commit, the batch is not committed: the rerun applies it whole.
            let committed =
                point == "cutover.snapshot-taken" ? 0 : point == "cutover.batch-inside-commit" ? arrival - 1 : arrival
            let status = try CLI.run(["status", "--workspace", run.workspace]).stdout
            if committed < batches {
                #expect(
                    status.contains("cutover \(committed) of \(batches) batches committed")
                        && status.contains("continues at batch \(committed + 1)"), "\(point):\(arrival): \(status)")
            }
            let rerun = try CLI.run(arguments)
            #expect(rerun.status == 0, "\(point):\(arrival): \(rerun.stderr)")
            #expect(
                try CutoverTests.dump(run.target).replacingOccurrences(of: run.target, with: "") == expected,
                "\(point):\(arrival): the target as after an uninterrupted cutover")
        }
    }

    @Test(
        "killed inside each batch's transaction on every target: nothing of the batch is there, the rerun ends as an uninterrupted cutover",
        arguments: TargetKind.available)
    func insideEachCommit(kind: TargetKind) throws {
        let drill = try TargetConformanceTests.Drill(kind)
        try drill.planGenerated(rows: 60, seed: 25, batchSize: 12)
        let planned = try drill.dump(except: RollbackKillPointsTests.bookkeeping)
        _ = try drill.cutover()
        let reference = try drill.dumpWithoutTimes(except: RollbackKillPointsTests.bookkeeping)
        let hash =
            try RollbackKillPointsTests.ledger(drill) { db in
                try String.fetchOne(db, sql: "SELECT content_hash FROM plan")
            }
            ?? ""
        let batches = try RollbackKillPointsTests.appliedInTarget(drill, hash: hash)
        #expect(batches >= 4, "a few batches to kill inside: \(batches)")
        let arguments = ["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"]
        for arrival in 1...batches {
            let back = try drill.run(["rollback", "latest", "--workspace", drill.workspace])
            #expect(back.status == 0, "\(back.stderr)")
            #expect(try drill.dump(except: RollbackKillPointsTests.bookkeeping) == planned)
            let killed = try CLI.run(
                arguments, environment: ["CUSTMIG_FAULT": "cutover.batch-inside-commit:\(arrival)"])
            #expect(killed.status == 9, "batch \(arrival): \(killed.status) \(killed.stderr)")
            #expect(
                try RollbackKillPointsTests.appliedInTarget(drill, hash: hash) == arrival - 1,
                "batch \(arrival): the batches before it committed, nothing of it")
            let rerun = try drill.run(arguments)
            #expect(rerun.status == 0, "batch \(arrival): \(rerun.stderr)")
            #expect(
                try drill.dumpWithoutTimes(except: RollbackKillPointsTests.bookkeeping) == reference,
                "batch \(arrival): the target as after an uninterrupted cutover")
        }
    }
}
