import CustmigCore
import Foundation
import Testing

extension TrytonTargetTests {
    /// The language (and payment term, receivable account) custmig reads must be the one Tryton shows:
    /// custmig reads the value records behind the field and picks as Tryton's getter does.
    @Test(
        "a party's language is read as Tryton shows it: the company's record before one for no company, else the one for no company"
    )
    func companyDependentFieldsAreReadAsTrytonShowsThem() throws {
        let drill = try Drill()
        try drill.plan(batchSize: 100, Self.withoutVATAndIBAN)
        #expect(try drill.cutover().contains(": matches"))
        let parties = try TrytonServer.parties()
        let kept = try #require(parties["0000100001"]?.id), moved = try #require(parties["0000100002"]?.id)
        func languages(_ id: Int) throws -> (shown: Int, records: [Int]) {
            let rows = try TrytonServer.call("party.party", "read", [[id], ["lang", "langs"]]) as? [[String: Any]]
            let row = try #require(rows?.first)
            return (
                (row["lang"] as? NSNumber)?.intValue ?? 0,
                (row["langs"] as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? []
            )
        }
        let before = try languages(kept), movedBefore = try languages(moved)
        let other = before.shown == 1 ? 5 : 1
        guard case .tryton(let location) = try TargetLocation(parsing: drill.target) else {
            Issue.record("the test server's URI is not a Tryton URI")
            return
        }
        let company = location.company
        // `kept`: a record for no company first, the company's own after it: Tryton still shows the company's.
        try TrytonServer.call(
            "party.party", "write",
            [
                [kept],
                [
                    "langs": [
                        ["delete", before.records], ["create", [["lang": other, "company": NSNull()]]],
                        ["create", [["lang": before.shown, "company": company]]],
                    ]
                ],
            ])
        // `moved`: only a record for no company, with another language: Tryton shows that one.
        try TrytonServer.call(
            "party.party", "write",
            [
                [moved],
                ["langs": [["delete", movedBefore.records], ["create", [["lang": other, "company": NSNull()]]]]],
            ])
        try #require(try languages(kept).shown == before.shown && languages(kept).records.count == 2)
        try #require(try languages(moved).shown == other)

        let reconciled = try drill.run(["reconcile", "--workspace", drill.workspace])
        #expect(reconciled.stdout.contains("0000100002"), "\(reconciled.stdout)")
        #expect(!reconciled.stdout.contains("0000100001"), "\(reconciled.stdout)")
    }
}
