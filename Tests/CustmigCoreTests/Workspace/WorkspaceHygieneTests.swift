import Foundation
import Testing

/// Issue 21, item 5: `status` shows where the workspace's disk goes; the safety copies snapshot rollbacks
/// leave are listed with their size; `purge --reports` and `purge --keep-snapshots N` free what is no
/// longer needed, and nothing a rollback still needs.
@Suite("Workspace hygiene: sizes by part, superseded reports and safety copies removed")
struct WorkspaceHygieneTests {
    @Test("two snapshot rollbacks and a superseded plan: status sizes them; purge keeps the newest copy only")
    func statusAndPurge() throws {
        let sample = try MappedSample()
        try sample.cutOver()
        var copies: [String] = []
        for attempt in 0..<2 {
            if attempt > 0 {
                // Back to back: safety copies named by the second they were taken in overwrote each other.
                let again = try CLI.run(["cutover", "latest", "--allow-unapproved", "--workspace", sample.workspace])
                #expect(again.status == 0, "\(again.stderr)")
            }
            let rolledBack = try CLI.run(["rollback", "latest", "--mode", "snapshot", "--workspace", sample.workspace])
            #expect(rolledBack.status == 0, "\(rolledBack.stderr)")
            copies.append(
                try #require(
                    rolledBack.stdout.split(separator: " ").last.map { String($0).trimmingCharacters(in: .newlines) }))
        }
        #expect(copies.allSatisfy { FileManager.default.fileExists(atPath: $0) }, "\(copies)")
        #expect(Set(copies).count == 2, "two rollbacks, two safety copies: \(copies)")
        // A new extract and a dry run supersede plan 1 (rolled back, so a draft again).
        let edited = sample.folder + "/customers.csv"
        let text = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        try text.replacingLine("100002") { $0.field(5, "Augsburg") }.write(
            toFile: edited, atomically: true, encoding: .windowsCP1252)
        for step in [
            [
                "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), edited, "--workspace",
                sample.workspace,
            ],
            ["dry-run", "--target", sample.target, "--workspace", sample.workspace],
        ] {
            let result = try CLI.run(step)
            #expect(result.status == 0 || result.status == 3, "\(step): \(result.stderr)")
        }
        let oldReports = sample.workspace + "/reports/plan-1"
        #expect(FileManager.default.fileExists(atPath: oldReports + "/plan.html"))

        let status = try CLI.run(["status", "--workspace", sample.workspace]).stdout
        let disk = try #require(status.split(separator: "\n").first { $0.hasPrefix("disk: ") }, "\(status)")
        #expect(disk.contains("ledger ") && disk.contains("canonical records ") && disk.contains("plans "), "\(disk)")
        #expect(disk.contains("of superseded plans: custmig purge --reports"), "\(disk)")
        #expect(disk.contains("snapshots ") && disk.contains("(3 files)"), "a cutover snapshot and two copies: \(disk)")
        for copy in copies {
            #expect(status.contains("safety copy \((copy as NSString).lastPathComponent), "), "\(status)")
        }
        let json = try CLI.run(["status", "--workspace", sample.workspace, "--json"]).stdout
        let usage = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["usage"] as? [String: Any])
        #expect((usage["reports"] as? Int ?? 0) > (usage["supersededReports"] as? Int ?? 0))
        #expect((usage["snapshots"] as? [[String: Any]])?.filter { $0["safetyCopy"] as? Bool == true }.count == 2)

        let purged = try CLI.run([
            "purge", "--reports", "--keep-snapshots", "1", "--workspace", sample.workspace,
        ])
        #expect(purged.status == 0, "\(purged.stderr)")
        #expect(
            purged.stdout.contains("removed 1 report folders of superseded plans and 1 safety copies"),
            "\(purged.stdout)")
        #expect(!FileManager.default.fileExists(atPath: oldReports), "the superseded plan's reports are gone")
        #expect(FileManager.default.fileExists(atPath: sample.workspace + "/reports/plan-2/plan.html"))
        #expect(!FileManager.default.fileExists(atPath: copies[0]), "the older safety copy is gone")
        #expect(FileManager.default.fileExists(atPath: copies[1]), "the newest is kept")
        // The cutover's own snapshot stays: a rollback of plan 1 can still restore it.
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: sample.workspace + "/snapshots")
        #expect(snapshots.contains { $0.hasPrefix("plan-1-") }, "\(snapshots)")
        let after = try CLI.run(["status", "--workspace", sample.workspace]).stdout
        #expect(after.contains("(2 files)") && !after.contains("of superseded plans"), "\(after)")
        #expect(after.contains("purge --keep-snapshots 0 --workspace"), "\(after)")

        let nothing = try CLI.run(["purge", "--workspace", sample.workspace])
        #expect(nothing.status != 0 && nothing.stderr.contains("--keep-snapshots"), "\(nothing.stderr)")
    }
}
