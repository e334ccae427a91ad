import CustmigCore
import Foundation
import Testing

/// Messages that must say what is true (issue: wrong or misleading messages).
@Suite("Messages")
struct MessageTests {
    @Test("the reconciliation's source line adds up to the records read: merged customers are among them, not added")
    func sourceLineAddsUp() throws {
        let folder = try Paths.scratch()
        let workspace = folder + "/w"
        let target = "sqlite:\(folder)/t.db"
        let steps: [[String]] = [
            [
                "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), Paths.samples("customers.csv"),
                "--workspace", workspace,
            ],
            ["duplicates", "--workspace", workspace], ["target", "init", target],
            ["dry-run", "--target", target, "--workspace", workspace],
            ["cutover", "latest", "--allow-unapproved", "--workspace", workspace],
        ]
        for step in steps {
            let result = try CLI.run(step)
            #expect(result.status == 0 || (step[0] == "map" && result.status == 3), "\(step): \(result.stderr)")
        }
        let reconciled = try CLI.run(["reconcile", "--workspace", workspace])
        let line = try #require(
            reconciled.stdout.split(separator: "\n").first { $0.hasPrefix("  source ") }, "\(reconciled.stdout)")
        // "  source   400 records read: malformed 2, ok 300, rejected 40, review 58; 10 of them merged into survivors"
        let read = try #require(Int(line.split(separator: " ")[1]), "\(line)")
        let outcomes = line.split(separator: ":")[1].split(separator: ";")[0].split(separator: ",")
        let sum = outcomes.compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
        #expect(sum == read, "\(line)")
        #expect(line.contains("merged into survivors"), "the sample has duplicates: \(line)")
        let status = try CLI.run(["status", "--workspace", workspace]).stdout
        let committed = status.split(separator: "\n").first { $0.contains("records committed") }
        let records = committed.flatMap { Int($0.split(separator: ":")[1].split(separator: " ")[0]) }
        let malformed = status.split(separator: "\n").first { $0.contains("malformed") }.flatMap { row in
            row.split(separator: ",").first { $0.contains("malformed") }.flatMap {
                Int($0.split(separator: " ").last ?? "")
            }
        }
        #expect(records.map { $0 + (malformed ?? 0) } == read, "\(status)\n\(line)")
    }
}

extension MessageTests {
    @Test("a plan number that follows a gap says why the numbers between are unused")
    func planNumberGapIsExplained() throws {
        let sample = try MappedSample()
        let (workspace, target) = (sample.workspace, sample.target)
        let first = try CLI.run(["dry-run", "--target", target, "--workspace", workspace])
        #expect(first.stdout.hasPrefix("plan 1 ") && !first.stdout.contains("taken by dry runs"), "\(first.stdout)")
        let same = try CLI.run(["dry-run", "--target", target, "--workspace", workspace])
        #expect(same.stdout.contains("plan 1: the same plan as before"), "\(same.stdout)")
        let other = try CLI.run(["dry-run", "--target", target, "--workspace", workspace, "--batch-size", "7"])
        #expect(other.stdout.hasPrefix("plan 3 "), "\(other.stdout)")
        #expect(
            other.stdout.contains("plan number 2 was taken by dry runs that found the same plan"), "\(other.stdout)")
    }
}

extension MessageTests {
    @Test("the profile index names the field nearest to a key and what keeps it from being one")
    func nearestKeyIsNamed() throws {
        let folder = try Paths.scratch()
        var lines = ["ID;NAME;CLIENT"]
        for number in 1...40 { lines.append("\(number == 7 ? "" : String(1000 + number));Name \(number % 13);100") }
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/c.csv", atomically: true, encoding: .utf8)
        // The same with the key whole.
        lines[7] = "1007;Name 7;100"
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/d.csv", atomically: true, encoding: .utf8)
        let result = try CLI.run(["profile", folder + "/c.csv", folder + "/d.csv", "--out", folder + "/p"])
        #expect(result.status == 0, "\(result.stderr)")
        let index = try String(contentsOfFile: folder + "/p/index.html", encoding: .utf8)
        #expect(index.contains("none; nearest ID (1 record without it)"), "\(index)")
        #expect(index.contains("<td>ID</td></tr>"), "\(index)")
        // The constant CLIENT comes after the fields that vary.
        let text = try CLI.run(["profile", folder + "/d.csv"]).stdout
        let order = ["ID", "NAME", "CLIENT"].compactMap { name in
            text.split(separator: "\n").firstIndex { $0.hasPrefix(name + " ") }
        }
        #expect(order.count == 3 && order == order.sorted(), "\(text)")
    }

    @Test("an IDoc's profile starts with the customer's fields: control fields constant in every IDoc come last")
    func constantControlFieldsLast() throws {
        let folder = try Paths.scratch()
        #expect(try CLI.run(["profile", Paths.samples("debmas07.xml"), "--out", folder]).status == 0)
        let report = try String(contentsOfFile: folder + "/debmas07.xml.profile.md", encoding: .utf8)
        let names = report.split(separator: "\n").filter { $0.hasPrefix("| `") }.map {
            String($0.split(separator: "`")[1])
        }
        let firstConstant = try #require(names.firstIndex { $0 == "control/IDOCTYP" }, "\(report)")
        let kunnr = try #require(names.firstIndex(of: "KUNNR"), "\(report)")
        #expect(kunnr < firstConstant, "\(names)")
        #expect(names.suffix(from: firstConstant).allSatisfy { !["KUNNR", "NAME1", "LAND1"].contains($0) })
    }
}
