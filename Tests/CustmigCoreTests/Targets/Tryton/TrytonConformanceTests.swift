import CustmigCore
import Foundation
import Testing

/// The target conformance scenarios (`TargetConformanceTests`) that apply to an ERP without snapshots
/// or rehearsal, on Tryton: the edits a person makes go through JSON-RPC instead of SQL, and the
/// comparison reads parties and addresses instead of dumping tables.
extension TrytonTargetTests {
    /// Every party but the company's with its name, active flag and address cities, sorted: what the
    /// scenarios compare before and after.
    static func dump() throws -> String {
        let parties = try TrytonServer.parties()
        let codes = Dictionary(uniqueKeysWithValues: parties.map { ($0.value.id, $0.key) })
        let addresses =
            try TrytonServer.call(
                "party.address", "search_read",
                [[["party.code", "!=", "1000"]], 0, NSNull(), NSNull(), ["party", "city", "street_name"]],
                context: ["active_test": false]) as? [[String: Any]] ?? []
        var cities: [String: [String]] = [:]
        for address in addresses {
            let party = (address["party"] as? NSNumber)?.intValue ?? 0
            cities[codes[party] ?? "?", default: []].append(
                "\(address["city"] as? String ?? "")/\(address["street_name"] as? String ?? "")")
        }
        return parties.map { code, party in
            "\(code)|\(party.name)|\(party.active)|\((cities[code] ?? []).sorted().joined(separator: ","))"
        }.sorted().joined(separator: "\n")
    }

    static func editParty(_ code: String, _ values: [String: Any]) throws {
        let id = try #require(try TrytonServer.parties()[code]).id
        try TrytonServer.call("party.party", "write", [[id], values])
    }

    static func editCity(_ code: String, _ city: String) throws {
        let ids = try TrytonServer.call("party.address", "search", [[["party.code", "=", code]]]) as? [Any] ?? []
        try #require(!ids.isEmpty)
        try TrytonServer.call("party.address", "write", [ids, ["city": city]])
    }

    @Test(
        "conformance on Tryton: first load, a delta wave with a kept hand edit and a conflict, surgical rollback to the hand edits"
    )
    func conformanceFirstLoadAndDelta() throws {
        let drill = try Drill()
        try drill.plan(batchSize: 7) { Self.withoutVATAndIBAN($0) }
        let first = try drill.cutover()
        #expect(first.contains(": matches"), "the cutover reconciles: \(first)")
        let again = try drill.run(["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"])
        #expect(again.stdout.contains("already applied"), "\(again.stdout)")
        let loaded = try TrytonServer.parties()
        for code in ["0000100001", "0000100002", "0000100004"] { try #require(loaded[code] != nil, "\(code) loaded") }
        // Someone edits two parties in Tryton: one field custmig does not change (kept), one it does (conflict).
        try Self.editCity("0000100004", "Handstadt")
        try Self.editParty("0000100001", ["name": "Finbe by hand"])
        let afterEdits = try Self.dump()
        let delta = try drill.plan(batchSize: 7) { text in
            Self.withoutVATAndIBAN(text).replacingLine("100001") { $0.field(1, "Finbe Automotive AG") }
                .replacingLine("100002") { $0.field(5, "Zweibrücken") }
                .replacingLine("100005") { _ in nil }
        }
        #expect(Drill.count("conflict", in: delta) == 1, "100001 changed on both sides: \(delta)")
        #expect(Drill.count("update", in: delta) == 1, "\(delta)")
        let deactivations = loaded["0000100005"] == nil ? 0 : 1
        #expect(Drill.count("deactivate", in: delta) == deactivations, "\(delta)")
        _ = try drill.cutover()
        let after = try Self.dump()
        #expect(after.contains("0000100002|") && after.contains("Zweibrücken"), "the update landed")
        #expect(after.contains("Handstadt") && after.contains("Finbe by hand"), "the hand edits stay")
        let show = try drill.run(["crosswalk", "show", "0000100004", "--workspace", drill.workspace, "--json"])
        #expect(show.stdout.contains("edited in the target since"), "the hand edit is kept: \(show.stdout)")
        let back = try drill.run(["rollback", "latest", "--workspace", drill.workspace, "--mode", "surgical"])
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        #expect(back.stdout.contains("0 customers deleted, \(1 + deactivations) restored, 0 kept"), "\(back.stdout)")
        #expect(try Self.dump() == afterEdits, "the wave is undone, the hand edits stay")
    }

    @Test("conformance on Tryton: a party changed after the plan stops its batch unapplied, or is skipped and reported")
    func conformanceStaleRows() throws {
        let drill = try Drill()
        try drill.plan { Self.withoutVATAndIBAN($0) }
        _ = try drill.cutover()
        try drill.plan { Self.withoutVATAndIBAN($0).replacingLine("100002") { $0.field(5, "Zweibrücken") } }
        try Self.editParty("0000100002", ["name": "After The Plan"])
        let before = try Self.dump()
        let stopped = try drill.run(["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"])
        #expect(stopped.status == 4, "\(stopped.stdout)\n\(stopped.stderr)")
        #expect(stopped.stdout.contains("0000100002") && stopped.stderr.contains("CUTOVER-STALE"), "\(stopped.stdout)")
        #expect(try Self.dump() == before, "nothing of the batch was applied")
        let skipped = try drill.run([
            "cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved", "--skip-stale",
        ])
        // Applied around the party, which the closing reconciliation then reports (exit 3: a mismatch).
        #expect(skipped.status == 3, "\(skipped.stdout)\n\(skipped.stderr)")
        #expect(skipped.stdout.contains("stale: 0000100002"), "\(skipped.stdout)")
        let after = try Self.dump()
        #expect(after.contains("0000100002|After The Plan|"), "the edited party is left alone")
        #expect(!after.contains("Zweibrücken"))
    }
}
