import CustmigCore
import Foundation
import Testing

/// The Tryton target against a real trytond (started by `.ci/tryton.sh`), through the command line as
/// a migration team runs it. The tests share one server, so they run one at a time, each from a reset.
@Suite("Tryton target", .serialized, .enabled(if: TrytonServer.enabled))
struct TrytonTargetTests {
    struct Drill {
        let folder: String
        let workspace: String
        let target: String

        init() throws {
            try TrytonServer.reset()
            folder = try Paths.scratch()
            workspace = folder + "/w"
            target = try TrytonServer.location()
        }

        /// Maps the sample extract after `edit` and plans it against Tryton.
        @discardableResult
        func plan(
            batchSize: Int = 100, through location: String? = nil, _ edit: (String) -> String = { $0 }
        ) throws -> String {
            let original = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
            let path = folder + "/customers-\(UUID().uuidString.prefix(8)).csv"
            try edit(original).write(toFile: path, atomically: true, encoding: .windowsCP1252)
            let mapped = try run([
                "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), path, "--workspace", workspace,
            ])
            #expect(mapped.status == 0 || mapped.status == 3, "\(mapped.stderr)")
            let planned = try run([
                "dry-run", "--target", location ?? target, "--workspace", workspace, "--batch-size", String(batchSize),
            ])
            #expect(planned.status == 0, "\(planned.stderr)")
            return planned.stdout
        }

        func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            let output = try CLI.run(arguments, environment: ["CUSTMIG_TARGET_PASSWORD": TrytonServer.password])
            return (output.status, output.stdout, output.stderr)
        }

        func cutover() throws -> String {
            let result = try run(["cutover", "latest", "--workspace", workspace, "--allow-unapproved"])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            return result.stdout
        }

        /// The plan summary's count of an action (`insert      254`).
        static func count(_ action: String, in summary: String) -> Int? {
            for line in summary.split(separator: "\n") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                if parts.count == 2, parts[0] == action { return Int(parts[1]) }
            }
            return nil
        }
    }

    /// The sample extract without VAT ids and IBANs (`custmig samples` makes check digits Tryton's
    /// validation refuses; those refusals are the first test's subject, not the others').
    static func withoutVATAndIBAN(_ text: String) -> String {
        var lines = text.components(separatedBy: "\r\n")
        for index in lines.indices.dropFirst() where !lines[index].isEmpty {
            var fields = lines[index].components(separatedBy: ";")
            guard fields.count > 24 else { continue }
            fields[10] = ""
            fields[24] = ""
            lines[index] = fields.joined(separator: ";")
        }
        return lines.joined(separator: "\r\n")
    }

    /// The cutover's count of refused customers (`254 customers refused by the target …`).
    static func refusedCount(_ output: String) -> Int {
        let line = output.split(separator: "\n").first { $0.contains("customers refused by the target") }
        return line.flatMap { Int($0.split(separator: " ")[0]) } ?? 0
    }

    @Test(
        "a first load: refused customers named with Tryton's message, the rest loaded once, reconciled, planned again as unchanged"
    )
    func firstLoad() throws {
        let drill = try Drill()
        let planned = try drill.plan()
        #expect(planned.contains("not rehearsed on the target"))
        #expect(planned.contains("not loaded (the target has no place for them") && planned.contains("sales_areas."))
        let inserts = try #require(Drill.count("insert", in: planned))
        let output = try drill.cutover()
        // VAT check digits are predicted by the dry run; phones and IBAN formats only Tryton judges.
        let report = try String(contentsOfFile: drill.workspace + "/reports/plan-1/plan.csv", encoding: .utf8)
        #expect(report.contains("Tryton will refuse it: vat_id"))
        #expect(output.contains("refused: ") && output.contains("Tryton refused it: UserError"), "\(output)")
        #expect(!output.contains("VAT Number"), "\(output)")
        #expect(output.contains(": matches"), "\(output)")
        let parties = try TrytonServer.parties()
        let refused = Self.refusedCount(output)
        #expect(parties.count > 10)
        #expect(parties.count + refused == inserts, "\(parties.count) loaded + \(refused) refused of \(inserts)")
        let exported = try drill.run([
            "crosswalk", "export", "--workspace", drill.workspace, "--out", drill.folder + "/x.csv",
        ])
        #expect(exported.status == 0, "\(exported.stderr)")
        let crosswalk = try String(contentsOfFile: drill.folder + "/x.csv", encoding: .utf8)
        #expect(crosswalk.split(separator: "\n").count == parties.count + 1)
        // Unchanged customers are not written again; the refused ones are planned again.
        let again = try drill.plan()
        #expect(Drill.count("unchanged", in: again) == parties.count, "\(again)")
        #expect(Drill.count("insert", in: again) == inserts - parties.count)
        // The password is in no file custmig wrote.
        let password = Data(TrytonServer.password.utf8)
        let files = FileManager.default.enumerator(atPath: drill.workspace)?.compactMap { $0 as? String } ?? []
        #expect(!files.isEmpty)
        for file in files {
            guard let data = FileManager.default.contents(atPath: drill.workspace + "/" + file) else { continue }
            #expect(data.range(of: password) == nil, "the password is in \(file)")
        }
    }

    @Test(
        "control totals count every party once: those the run read and one made in Tryton by hand, which the reconciliation reports and the next plan counts before"
    )
    func controlTotalsCountHandMadeParties() throws {
        let drill = try Drill()
        try drill.plan(batchSize: 100, Self.withoutVATAndIBAN)
        #expect(try drill.cutover().contains(": matches"))
        // A party nobody planned: the totals read it beside the parties the reconciliation read.
        _ = try TrytonServer.call("party.party", "create", [[["code": "HAND-MADE-1", "name": "Made By Hand"]]])
        let reconciled = try drill.run(["reconcile", "--workspace", drill.workspace])
        #expect(reconciled.status != 0, "\(reconciled.stdout)")
        #expect(reconciled.stdout.contains("control totals differ"), "\(reconciled.stdout)")
        let report = try String(
            contentsOfFile: drill.workspace + "/reports/plan-1/reconciliation.json", encoding: .utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        let expected = try #require((json["expectedTotals"] as? [String: Any])?["customers"] as? Int)
        let found = try #require((json["targetTotals"] as? [String: Any])?["customers"] as? Int)
        #expect(found == expected + 1, "expected \(expected) + the hand-made party, found \(found)")
        // The next plan counts it among the totals before; its cutover (nothing to write) reconciles.
        let again = try drill.plan(batchSize: 100, Self.withoutVATAndIBAN)
        #expect(Drill.count("unchanged", in: again) ?? 0 > 10, "\(again)")
        let output = try drill.cutover()
        #expect(output.contains(": matches") || output.contains("nothing to do"), "\(output)")
        let final = try drill.run(["reconcile", "--workspace", drill.workspace])
        #expect(final.status == 0 && final.stdout.contains("control totals equal"), "\(final.stdout)")
    }

    @Test("rollback drill: a party edited in Tryton keeps the edit; the wave's update is undone; snapshots are refused")
    func rollbackDrill() throws {
        let drill = try Drill()
        try drill.plan { Self.withoutVATAndIBAN($0) }
        _ = try drill.cutover()
        let loaded = try TrytonServer.parties()
        let edited = try #require(loaded["0000100001"])
        try #require(loaded["0000100002"] != nil)
        try TrytonServer.call("party.party", "write", [[edited.id], ["name": "Edited By Sales"]])
        // The delta wave: customer 100002 moved to another city.
        let wave = try drill.plan {
            Self.withoutVATAndIBAN($0).replacingLine("100002") { $0.field(5, "Zweibrücken") }
        }
        #expect(Drill.count("update", in: wave) == 1, "\(wave)")
        _ = try drill.cutover()
        func city(_ code: String) throws -> String? {
            let rows =
                try TrytonServer.call(
                    "party.address", "search_read", [[["party.code", "=", code]], 0, 1, NSNull(), ["city"]])
                as? [[String: Any]]
            return rows?.first?["city"] as? String
        }
        #expect(try city("0000100002") == "Zweibrücken")
        let refused = try drill.run(["rollback", "latest", "--workspace", drill.workspace, "--mode", "snapshot"])
        #expect(refused.status != 0 && refused.stderr.contains("TARGET-CAPABILITY"), "\(refused.stderr)")
        let back = try drill.run(["rollback", "latest", "--workspace", drill.workspace, "--mode", "surgical"])
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        #expect(try city("0000100002") == "Berlin" || (try city("0000100002")) != "Zweibrücken")
        let after = try TrytonServer.parties()
        #expect(after["0000100001"]?.name == "Edited By Sales")
        #expect(after.count == loaded.count)
        // The first wave's rollback deletes what it created, and keeps the edited party (reported).
        let first = try drill.run(["rollback", "1", "--workspace", drill.workspace, "--mode", "surgical"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("0000100001") && first.stdout.contains("edited in the target"), "\(first.stdout)")
        #expect(try TrytonServer.parties().keys.sorted() == ["0000100001"])
    }

    @Test(
        "a cutover and a rollback killed at random moments, resumed: every customer once, crosswalk complete, reconciled"
    )
    func killedCutoverAndRollback() throws {
        let drill = try Drill()
        let planned = try drill.plan(batchSize: 4) { Self.withoutVATAndIBAN($0) }
        let inserts = try #require(Drill.count("insert", in: planned))
        let cutover = ["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"]
        var kills = try KillLoop.run(cutover, attempts: 16, delays: 150_000...900_000)
        let final = try drill.run(cutover)
        #expect(final.status == 0, "\(final.stdout)\n\(final.stderr)")
        let refused = Self.refusedCount(final.stdout)
        try Self.expectExactlyOnce(drill, inserts: inserts, refused: refused)
        let parties = try TrytonServer.parties()
        let rollback = ["rollback", "latest", "--workspace", drill.workspace, "--mode", "surgical"]
        kills += try KillLoop.run(rollback, attempts: 10, delays: 100_000...600_000)
        let back = try drill.run(rollback)
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        #expect(try TrytonServer.parties().isEmpty, "\(back.stdout)")
        print(
            "Tryton kill test: \(kills) kills (seed \(KillLoop.seed)), \(parties.count) customers loaded, \(refused) refused"
        )
    }

    @Test("Runbook 8 runs as written against the test server")
    func runbook() throws {
        try TrytonServer.reset()
        let runbook = Paths.repository.appendingPathComponent("Runbooks/08-tryton-cutover.md").path
        try RunbookTests.run(
            runbook,
            environment: ["TRYTON": try TrytonServer.location(), "CUSTMIG_TARGET_PASSWORD": TrytonServer.password])
        // The runbook ends with the wave rolled back.
        #expect(try TrytonServer.parties().isEmpty)
    }
}
