import Foundation
import Testing

@testable import CustmigCore

/// CSVs a person opens in a spreadsheet show a legacy value that looks like a formula; they never run it.
@Suite("spreadsheet exports")
struct SpreadsheetExportTests {
    @Test("crosswalk export neutralises every cell, keys included, that starts like a formula")
    func crosswalk() throws {
        let folder = try Paths.scratch()
        var text = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        text = text.replacingLine("100001") { $0.field(0, "=HYPERLINK(\"http://x.example\")") }
        try text.write(toFile: folder + "/c.csv", atomically: true, encoding: .windowsCP1252)
        let steps: [[String]] = [
            ["target", "init", "sqlite:\(folder)/t.db", "--codes", Paths.samples("target-codes.csv")],
            [
                "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), folder + "/c.csv", "--workspace",
                folder + "/w",
            ],
            ["dry-run", "--target", "sqlite:\(folder)/t.db", "--workspace", folder + "/w"],
            ["cutover", "latest", "--allow-unapproved", "--workspace", folder + "/w"],
            ["crosswalk", "export", "--workspace", folder + "/w", "--out", folder + "/x.csv"],
        ]
        for step in steps {
            let result = try CLI.run(step)
            #expect(result.status == 0 || (step[0] == "map" && result.status == 3), "\(step): \(result.stderr)")
        }
        let lines = try String(contentsOfFile: folder + "/x.csv", encoding: .utf8).split(separator: "\n")
        let line = try #require(lines.first { $0.contains("HYPERLINK") })
        #expect(line.hasPrefix("\"'=HYPERLINK(") || line.hasPrefix("'=HYPERLINK("), "\(line)")
        #expect(!line.contains(",=") && !line.contains(",\"="), "every cell neutralised: \(line)")
    }

    @Test("a key the review export neutralised is the key again when decide reads it back")
    func decideReadsKeysBack() {
        #expect(RejectReport.spreadsheetCell("=1+2") == "'=1+2")
        #expect(RejectReport.fromSpreadsheetCell("'=1+2") == "=1+2")
        #expect(RejectReport.fromSpreadsheetCell("'@SUM(A1)") == "@SUM(A1)")
        #expect(RejectReport.fromSpreadsheetCell("'O'Brien") == "'O'Brien", "an apostrophe before a letter is data")
        #expect(RejectReport.fromSpreadsheetCell("100001") == "100001")
        #expect(RejectReport.spreadsheetCell("-12.50") == "-12.50", "numbers stay numbers")
    }
}
