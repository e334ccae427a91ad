import Foundation
import Testing

/// The other reports a wide audience reads: the duplicates report (masked with `--mask-pii`), and the
/// review export and the reconciliation, which carry no personal column at all.
@Suite("masked duplicates and reconciliation reports")
struct MaskedDuplicatesLeakTests {
    /// The planted values on customer 100001 and on 100999, a copy of it the matcher merges with it.
    static let planted: [(column: Int, value: String)] = [
        (27, "planted.person@leak-test.example"), (26, "+49 30 9876 5432"), (10, "DE811907980"),
        (9, "office@leak-probe.example"), (7, "+49 30 5550 1234"), (24, "DE89 3704 0044 0532 0130 00"),
    ]

    /// `forReview`: an auto-merge threshold so high that matches wait for a steward.
    func workspace(forReview: Bool = false) throws -> (folder: String, workspace: String) {
        let folder = try Paths.scratch()
        var text = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        text = text.replacingLine("100001") { line in
            var line = line
            for (column, value) in Self.planted { line = line.field(column, value) }
            return line + "\r\n" + line.field(0, "100999")
        }
        .replacingLine("100002") { line in
            // A likely copy, with another street and no identifier in common: scored for review, not merged.
            var copy = line.field(0, "100990").field(1, "Bauer Textil").field(3, "Lindenweg 3").field(7, "089 111110")
            for column in [8, 9, 10, 24, 25, 26, 27] { copy = copy.field(column, "") }
            return line + "\r\n" + copy
        }
        try text.write(toFile: folder + "/customers.csv", atomically: true, encoding: .windowsCP1252)
        let mappingFolder = try StewardFilesTests.mappingFolder()
        if forReview { try DuplicateDecisionTests.demandCertainty(mappingFolder + "/mapping.yaml") }
        let mapped = try CLI.run([
            "map", "--mapping", mappingFolder + "/mapping.yaml", folder + "/customers.csv",
            "--workspace", folder + "/w",
        ])
        #expect(mapped.status == 0 || mapped.status == 3, "\(mapped.stderr)")
        return (folder, folder + "/w")
    }

    func leaks(in text: String) -> [String] {
        Self.planted.flatMap { MaskedPlanLeakTests.forms($0.value) }.filter { text.contains($0) }
    }

    @Test("duplicates --mask-pii: no planted phone, e-mail, VAT id or IBAN in the report; without it, they are there")
    func duplicatesReport() throws {
        let (_, workspace) = try workspace()
        let masked = try CLI.run(["duplicates", "--workspace", workspace, "--mask-pii"])
        #expect(masked.status == 0, "\(masked.stderr)")
        let report = try #require(masked.stdout.split(separator: "\n").first { $0.hasPrefix("report: ") })
        let path = String(report.dropFirst("report: ".count))
        let maskedText = try String(contentsOfFile: path, encoding: .utf8)
        #expect(maskedText.contains("personal data masked"))
        #expect(leaks(in: maskedText).isEmpty, "\(leaks(in: maskedText))")
        // The same run again without the flag writes the report in clear: the test looks where values go.
        let clear = try CLI.run(["duplicates", "--workspace", workspace])
        #expect(clear.status == 0, "\(clear.stderr)")
        let clearText = try String(contentsOfFile: path, encoding: .utf8)
        #expect(leaks(in: clearText).count >= 3, "the cluster of 100001 and its copy: \(leaks(in: clearText))")
    }

    @Test(
        "review export and reconciliation: no planted value either way; --mask-pii hides every name and city they show"
    )
    func reviewExportAndReconciliation() throws {
        let (folder, workspace) = try workspace(forReview: true)
        let target = "sqlite:\(folder)/t.db"
        let steps: [[String]] = [
            ["duplicates", "--workspace", workspace],
            ["duplicates", "review", "--out", folder + "/pairs.csv", "--workspace", workspace],
            ["duplicates", "review", "--out", folder + "/pairs-masked.csv", "--workspace", workspace, "--mask-pii"],
            ["target", "init", target, "--codes", Paths.samples("target-codes.csv")],
            ["dry-run", "--target", target, "--workspace", workspace],
            ["cutover", "latest", "--allow-unapproved", "--workspace", workspace],
        ]
        for step in steps {
            let result = try CLI.run(step)
            #expect(result.status == 0, "\(step): \(result.stderr)")
        }
        // Every name and city the clear export shows (columns 4-7) is gone from the masked one; the keys stay.
        let clearPairs = try String(contentsOfFile: folder + "/pairs.csv", encoding: .utf8)
        let maskedPairs = try String(contentsOfFile: folder + "/pairs-masked.csv", encoding: .utf8)
        let rows = clearPairs.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        #expect(rows.count >= 1, "the sample has pairs for review: \(clearPairs)")
        let shown = Set(rows.flatMap { $0[3..<7].map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } })
            .filter { $0.count >= 4 }
        #expect(!shown.isEmpty)
        for value in shown { #expect(!maskedPairs.contains(value), "\(value) in the masked review export") }
        for row in rows { #expect(maskedPairs.contains(row[0] + "," + row[1]), "the keys stay: \(row[0])") }

        // Someone edits a customer's name in the target: the reconciliation names the customer that differs.
        try TargetKind.sqlite.sql(
            "UPDATE customer SET name1 = 'Edited by hand' WHERE customer_id = '0000100002'", at: target)
        let masked = try CLI.run(["reconcile", "--workspace", workspace, "--mask-pii"])
        #expect(masked.status == 3, "the edit is a mismatch: \(masked.stdout) \(masked.stderr)")
        let reports = try FileManager.default.contentsOfDirectory(atPath: workspace + "/reports/plan-1")
            .filter { $0.hasPrefix("reconciliation") }.map { workspace + "/reports/plan-1/" + $0 }
        #expect(reports.count == 2, "\(reports)")
        let name = try Self.sampleName(of: "100002")
        for path in reports {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(leaks(in: text).isEmpty, "\((path as NSString).lastPathComponent): \(leaks(in: text))")
            #expect(!text.contains(name), "\((path as NSString).lastPathComponent) names \(name) though masked")
            #expect(text.contains("0000100002"), "the customer that differs is listed by key")
        }
        #expect(!masked.stdout.contains(name))
        let clear = try CLI.run(["reconcile", "--workspace", workspace])
        #expect(clear.status == 3)
        for path in reports {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(name), "without the flag the name is shown")
            #expect(leaks(in: text).isEmpty, "\((path as NSString).lastPathComponent): \(leaks(in: text))")
        }
    }

    /// The name (NAME1) of a sample customer, as the extract holds it.
    static func sampleName(of key: String) throws -> String {
        let text = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        let line = try #require(text.components(separatedBy: "\r\n").first { $0.hasPrefix(key + ";") })
        return line.split(separator: ";", omittingEmptySubsequences: false)[1].trimmingCharacters(in: .whitespaces)
    }
}
