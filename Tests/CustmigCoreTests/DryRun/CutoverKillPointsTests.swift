import Foundation
import Testing

/// kill -9 at every checkpoint of a cutover (the `CUSTMIG_FAULT` points: after the snapshot, after each
/// batch's commit in the target before the ledger mirrors it, after each mirror), then the same command
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
            [("cutover.snapshot-taken", 1)] + (1...batches).map { ("cutover.batch-committed", $0) }
            + (1..<batches).map { ("cutover.batch-recorded", $0) }
        for (number, (point, arrival)) in points.enumerated() {
            let run = try CutoverTests.copy(of: setup, as: "kill-\(number)")
            let arguments = CutoverTests.cutoverArguments(target: run.target, workspace: run.workspace)
            let killed = try CLI.run(arguments, environment: ["CUSTMIG_FAULT": "\(point):\(arrival)"])
            #expect(killed.status == 9, "\(point):\(arrival): \(killed.status) \(killed.stderr)")
            let committed = point == "cutover.snapshot-taken" ? 0 : arrival
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
}
