import Foundation
import Testing

/// Issue 21, item 2: plan.csv and plan.json hold a line per customer action and a line per changed field
/// of updates and conflicts, not a line per field of every insert; the full field-level image is
/// streamed on request by `custmig plan export --fields`, and the report says how big it would be.
@Suite("Plan reports sized for people; the field-level export on request", .serialized)
struct PlanExportSizingTests {
    static func lines(_ path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    }

    /// A count from the dry run's summary lines (`insert   164`).
    static func count(_ action: String, in summary: String) -> Int? {
        for line in summary.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2, parts[0] == action { return Int(parts[1]) }
        }
        return nil
    }

    static func gunzip(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(path) is a complete gzip stream")
        return String(decoding: data, as: UTF8.self)
    }

    @Test("a first load: one line per action in plan.csv and plan.json; --fields streams every field, as sized")
    func firstLoad() throws {
        let drill = try TargetConformanceTests.Drill(.sqlite)
        let planned = try drill.plan()
        let inserts = try #require(Self.count("insert", in: planned))
        let folder = drill.workspace + "/reports/plan-1"
        let csv = try Self.lines(folder + "/plan.csv")
        let header = csv[0].split(separator: ",").map(String.init)
        #expect(header.contains("legacy_key") && header.contains("changed_fields"), "\(header)")
        let insertLines = csv.filter { $0.contains(",insert,") }
        #expect(insertLines.count == inserts, "one line per insert, no field lines: \(insertLines.count) of \(inserts)")
        // A reject names the customer it is about (all but those rejected for having no name).
        let rejectLines = csv.filter { $0.contains(",reject,") }
        let named = rejectLines.filter { $0.split(separator: ",", omittingEmptySubsequences: false)[3] != "" }
        #expect(
            !rejectLines.isEmpty && named.count * 10 >= rejectLines.count * 8, "\(named.count) of \(rejectLines.count)")
        let json = try String(contentsOfFile: folder + "/plan.json", encoding: .utf8)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) as? [String: Any])
        let columns = try #require(document["columns"] as? [String])
        #expect(
            columns.prefix(7) == [
                "canonicalKey", "legacyKey", "customerId", "name", "country", "action", "changedFields",
            ])
        let actions = try #require(document["actions"] as? [[Any]])
        let insertRows = actions.filter { $0[5] as? String == "insert" }
        #expect(insertRows.count == inserts)
        #expect(insertRows.allSatisfy { $0.count <= 8 }, "no insert carries its fields")
        #expect(insertRows.allSatisfy { ($0[6] as? Int ?? 0) >= 10 }, "each says how many fields it fills")
        let size = try #require(document["fieldExport"] as? [String: Int])
        let html = try String(contentsOfFile: folder + "/plan.html", encoding: .utf8)
        let stated = try #require(size["lines"])
        #expect(
            html.contains("is \(stated.formatted(.number.grouping(.automatic))) lines")
                || html.contains("is \(stated) lines"),
            "the page states the size")
        #expect(html.contains("plan export 1 --fields --out plan-1-fields.csv.gz"))

        // The export the page names writes what it said: the same lines, the same bytes before compression.
        let export = try drill.run([
            "plan", "export", "latest", "--fields", "--out", drill.folder + "/fields.csv.gz", "--workspace",
            drill.workspace,
        ])
        #expect(export.status == 0, "\(export.stderr)")
        let fields = try Self.gunzip(drill.folder + "/fields.csv.gz")
        #expect(fields.split(separator: "\n").count == stated)
        #expect(fields.utf8.count == size["bytes"], "the stated size is the export's, before compression")
        #expect(fields.split(separator: "\n").filter { $0.contains(",insert,") }.count > inserts * 15)

        // JSON Lines: one object per action, an insert with each of its fields.
        let jsonl = try drill.run([
            "plan", "export", "1", "--fields", "--out", drill.folder + "/fields.jsonl", "--workspace", drill.workspace,
        ])
        #expect(jsonl.status == 0, "\(jsonl.stderr)")
        let objects = try Self.lines(drill.folder + "/fields.jsonl").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == actions.count)
        let insert = try #require(objects.first { $0["action"] as? String == "insert" })
        #expect((insert["changes"] as? [Any])?.count == insert["changedFields"] as? Int)
        #expect((insert["changedFields"] as? Int ?? 0) >= 15)

        let unknown = try drill.run([
            "plan", "export", "1", "--out", drill.folder + "/fields.xlsx", "--workspace", drill.workspace,
        ])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("PLAN-EXPORT-FORMAT") && unknown.stderr.contains(".jsonl"), "\(unknown.stderr)")
    }

    @Test("a delta: an update's changed fields each get a line in plan.csv, with the value before and after")
    func delta() throws {
        let drill = try TargetConformanceTests.Drill(.sqlite)
        try drill.plan()
        _ = try drill.cutover()
        let planned = try drill.plan { $0.replacingLine("100002") { $0.field(5, "Augsburg") } }
        #expect(Self.count("update", in: planned) == 1, "\(planned)")
        let csv = try Self.lines(drill.workspace + "/reports/plan-2/plan.csv")
        let update = csv.filter { $0.contains(",0000100002,") }
        #expect(update.count == 2, "the action line and one changed field: \(update)")
        #expect(update.contains { $0.contains(",update,1,") }, "\(update)")
        #expect(update.contains { $0.contains("city") && $0.contains("Augsburg") }, "\(update)")
        #expect(!csv.contains { $0.contains(",unchanged,") }, "unchanged customers are counted, not listed")
    }
}
