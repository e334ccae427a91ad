import CustmigCore
import Testing

@Suite("The three-way merge")
struct ThreeWayMergeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var path: String
        var base: String?
        var ours: String?
        var theirs: String?
        var owned = false
        var resolution: ConflictResolution?
        /// nil: the field is not listed (nothing to do).
        var outcome: FieldChange.Outcome?
        var after: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unchanged everywhere", path: "name1", base: "A", ours: "A", theirs: "A", outcome: nil, after: "A"),
        Case(
            name: "changed in ours only: update", path: "name1", base: "A", ours: "B", theirs: "A", outcome: .change,
            after: "B"),
        Case(
            name: "changed in the target only: kept", path: "name1", base: "A", ours: "A", theirs: "T",
            outcome: .keptTarget, after: "T"),
        Case(
            name: "changed the same way on both sides", path: "name1", base: "A", ours: "B", theirs: "B", outcome: nil,
            after: "B"),
        Case(
            name: "changed differently on both sides: conflict", path: "name1", base: "A", ours: "B", theirs: "T",
            outcome: .conflict, after: "T"),
        Case(
            name: "conflict settled: ours", path: "name1", base: "A", ours: "B", theirs: "T", resolution: .ours,
            outcome: .resolvedOurs, after: "B"),
        Case(
            name: "conflict settled: theirs", path: "name1", base: "A", ours: "B", theirs: "T", resolution: .theirs,
            outcome: .resolvedTheirs, after: "T"),
        Case(
            name: "target-owned field changed in ours: kept", path: "credit_limit", base: "100.00", ours: "200.00",
            theirs: "100.00", owned: true, outcome: .keptOwned, after: "100.00"),
        Case(
            name: "target-owned field changed on both sides: kept, not a conflict", path: "credit_limit",
            base: "100.00", ours: "200.00", theirs: "300.00", owned: true, outcome: .keptOwned, after: "300.00"),
        Case(
            name: "field cleared in ours: update to empty", path: "name2", base: "X", ours: nil, theirs: "X",
            outcome: .change, after: nil),
        Case(
            name: "field cleared in the target: kept", path: "name2", base: "X", ours: "X", theirs: nil,
            outcome: .keptTarget, after: nil),
        Case(
            name: "child row added in ours", path: "contact[2].email", base: nil, ours: "a@b.de", theirs: nil,
            outcome: .change, after: "a@b.de"),
        Case(
            name: "child row added in the target: kept", path: "address[ship_to-1].city", base: nil, ours: nil,
            theirs: "Köln", outcome: .keptTarget, after: "Köln"),
        Case(
            name: "child field changed in ours", path: "sales_area[1000/10/00].payment_terms", base: "NT30",
            ours: "NT14", theirs: "NT30", outcome: .change, after: "NT14"),
        Case(
            name: "child field changed on both sides", path: "sales_area[1000/10/00].incoterms", base: "EXW",
            ours: "FCA", theirs: "DAP", outcome: .conflict, after: "DAP"),
        Case(
            name: "child row removed in ours", path: "bank_account[1].iban", base: "DE89370400440532013000", ours: nil,
            theirs: "DE89370400440532013000", outcome: .change, after: nil),
    ]

    @Test("base, ours and theirs decide each field", arguments: cases)
    func field(_ test: Case) {
        func image(_ value: String?) -> CustomerImage {
            var values = ["name1": "Common"]
            if test.path == "name1" { values = [:] }
            if let value { values[test.path] = value }
            return CustomerImage(values: values)
        }
        let result = ThreeWayMerge.merge(
            ours: image(test.ours), theirs: image(test.theirs), base: image(test.base),
            isTargetOwned: { CustomerImage.ownershipName($0) == "credit_limit" && test.owned },
            resolution: { _ in test.resolution })
        #expect(result.changes.first?.outcome == test.outcome)
        #expect(result.desired.values[test.path] == test.after)
        #expect(result.hasConflict == (test.outcome == .conflict))
    }

    @Test("an insert takes ours as it is; a link (no base) takes ours for legacy fields, theirs for target-owned")
    func insertAndLink() {
        let ours = CustomerImage(values: ["name1": "Neu GmbH", "credit_limit": "5000.00"])
        let insert = ThreeWayMerge.merge(ours: ours, theirs: nil, base: nil, isTargetOwned: { $0 == "credit_limit" })
        #expect(insert.desired == ours)
        let theirs = CustomerImage(values: ["name1": "Neu G.m.b.H.", "credit_limit": "9000.00", "industry": "RETL"])
        let link = ThreeWayMerge.merge(ours: ours, theirs: theirs, base: nil, isTargetOwned: { $0 == "credit_limit" })
        #expect(link.desired.values["name1"] == "Neu GmbH")
        #expect(link.desired.values["credit_limit"] == "9000.00")
        #expect(link.desired.values["industry"] == nil, "a legacy-owned field ours does not have is cleared on link")
        #expect(!link.hasConflict)
    }

    @Test("ownership names and labels of paths")
    func paths() {
        #expect(CustomerImage.ownershipName("credit_limit") == "credit_limit")
        #expect(CustomerImage.ownershipName("parent_id") == "parent")
        #expect(CustomerImage.ownershipName("order_block") == "block_order")
        #expect(CustomerImage.ownershipName("address[legal-1].street") == "addresses.street")
        #expect(
            CustomerImage.ownershipName("partner_function[1000/10/00/payer/42].partner_id")
                == "sales_areas.partners.customer")
        #expect(CustomerImage.label("sales_area[1000/10/00].payment_terms") == "Sales area 1000/10/00 · payment terms")
    }
}
