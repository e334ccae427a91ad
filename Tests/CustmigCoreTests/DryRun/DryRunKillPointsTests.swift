import Foundation
import GRDB
import Testing

/// kill -9 at every checkpoint of a dry run (the `CUSTMIG_FAULT` points: after each write of plan rows,
/// after the rehearsal, inside and after the transaction that seals the plan, after its reports), then
/// the same command again. Until the seal commits, the approved plan it would supersede stays current;
/// the target never changes; the rerun makes the plan an uninterrupted dry run makes, with its reports.
@Suite("A dry run killed at every checkpoint", .serialized)
struct DryRunKillPointsTests {
    /// Every plan of a workspace: "id status hash approved-by".
    static func plans(_ workspace: String) throws -> [String] {
        let ledger = try DatabaseQueue(path: workspace + "/ledger.sqlite")
        defer { try? ledger.close() }
        return try ledger.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.id, p.status, IFNULL(p.content_hash, '-') AS hash,
                    (SELECT approved_by FROM plan_approval a WHERE a.plan_id = p.id AND a.content_hash = p.content_hash) AS by
                    FROM plan p ORDER BY p.id
                    """
            ).map {
                "\($0["id"] as Int64) \($0["status"] as String) \($0["hash"] as String) \($0["by"] as String? ?? "-")"
            }
        }
    }

    @Test(
        "each kill point: the approved plan stays current until the seal, the target is untouched, the rerun makes the same plan"
    )
    func everyCheckpoint() throws {
        // A mapped workspace with an approved plan (batches of 50); the killed dry runs plan in batches of 40,
        // a different plan that supersedes it once sealed.
        let setup = try CutoverTests.planned(rows: 600)
        let approved = try CLI.run([
            "approve", "latest", "--by", "Maria Keller (Finance)", "--workspace", setup.workspace,
        ])
        #expect(approved.status == 0, "\(approved.stderr)")
        let before = try Self.plans(setup.workspace)
        #expect(before.count == 1 && before[0].hasSuffix("Maria Keller (Finance)"), "\(before)")
        let arguments = { (copy: (workspace: String, target: String)) in
            [
                "dry-run", "--target", "sqlite:" + copy.target, "--workspace", copy.workspace, "--batch-size", "40",
                "--quiet",
            ]
        }
        let reference = try CutoverTests.copy(of: setup, as: "reference")
        let uninterrupted = try CLI.run(arguments(reference))
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let expected = try Self.plans(reference.workspace)
        #expect(expected.count == 2 && expected[1].contains(" current "), "\(expected)")
        let newHash = String(expected[1].split(separator: " ")[2])
        let targetBytes = try Data(contentsOf: URL(fileURLWithPath: setup.target))

        var copies = 0
        try KillPoints.sweep(
            ["dry-run.rows-written", "dry-run.rehearsed", "dry-run.inside-seal", "dry-run.sealed", "dry-run.reported"],
            prepare: {
                copies += 1
                return try CutoverTests.copy(of: setup, as: "kill-\(copies)")
            }, arguments: arguments
        ) { copy, label in
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: copy.target)) == targetBytes, "\(label): the target changed")
            let current = try Self.plans(copy.workspace).filter { $0.contains(" current ") }
            let sealed = label.hasPrefix("dry-run.sealed") || label.hasPrefix("dry-run.reported")
            #expect(current.count == 1, "\(label): \(current)")
            if sealed {
                #expect(current.first?.contains(newHash) == true, "\(label): \(current)")
            } else {
                #expect(current == [before[0]], "\(label): the approved plan is still current: \(current)")
            }
            let rerun = try CLI.run(arguments(copy))
            #expect(rerun.status == 0, "\(label): \(rerun.stderr)")
            let after = try Self.plans(copy.workspace)
            #expect(
                after.filter { $0.contains(" current ") }.map { $0.split(separator: " ")[2] } == [Substring(newHash)],
                "\(label): \(after)")
            #expect(after.contains { $0.hasPrefix("1 superseded") }, "\(label): \(after)")
            // The current plan's reports are there (a kill after the seal left them unwritten).
            let id = after.first { $0.contains(" current ") }.map { String($0.split(separator: " ")[0]) } ?? "?"
            for report in ["plan.html", "plan.csv"] {
                let path = copy.workspace + "/reports/plan-\(id)/" + report
                #expect(FileManager.default.fileExists(atPath: path), "\(label): \(path)")
            }
        }
    }
}
