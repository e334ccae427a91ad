import Foundation
import Testing

@testable import CustmigCore

/// What a business owner reads before signing: rejects by reason (every kind visible, counts adding up),
/// and the approval on the page once it is given.
@Suite("plan report for sign-off")
struct PlanReportSignOffTests {
    @Test("reasons that differ only in the customer's own values are one group; figures of the rule itself stay")
    func grouping() {
        let a = RejectGroup.describe(
            "waiting for review of transform:email (contacts[0].email = \"a@@x.de\"): \"a@@x.de\" is not a valid email address — settle it in review-decisions.csv and map again"
        )
        let b = RejectGroup.describe(
            "waiting for review of transform:email (contacts[0].email = \"b..c@y\"): \"b..c@y\" is not a valid email address — settle it in review-decisions.csv and map again"
        )
        #expect(a.key == b.key && a.title == b.title)
        #expect(a.title.contains("review") && a.title.contains("contacts[0].email"), "\(a.title)")
        #expect(a.fix == "settle it in review-decisions.csv and map again")
        // Plan rows leave that fix out (it is the same for every held customer): the group still says it.
        let held = RejectGroup.describe(
            "waiting for review of transform:email (contacts[0].email = \"a@@x.de\"): \"a@@x.de\" is not a valid email address"
        )
        #expect(held.key == a.key && held.fix == a.fix, "\(held.fix)")
        #expect(
            RejectGroup.describe("rejected by name-required (name1): the customer has no name").fix
                == RejectGroup.defaultFix)
        let c = RejectGroup.describe("it refers to customer 0000100972, which will not exist in the target")
        let d = RejectGroup.describe("it refers to customer 0000100001, which will not exist in the target")
        #expect(c.key == d.key, "\(c.key) / \(d.key)")
        let credit = RejectGroup.describe(
            "waiting for review of high-credit-limit (credit_limit = \"249500.00\"): credit limits above 100,000 need finance's approval"
        )
        #expect(credit.title.contains("100,000") && !credit.title.contains("249500"), "\(credit.title)")
        let iban = RejectGroup.describe(
            "Tryton will refuse it: IBAN DE89370400440532013000 is also customer 0000100001's, loaded earlier")
        let other = RejectGroup.describe(
            "Tryton will refuse it: IBAN GB82WEST12345698765432 is also customer 0000100777's, loaded earlier")
        #expect(iban.key == other.key, "\(iban.key) / \(other.key)")
    }

    @Test("the page groups every reject by reason with counts that add up, and shows the approval once given")
    func rejectsAndApproval() throws {
        let sample = try MappedSample()
        let (workspace, target) = (sample.workspace, sample.target)
        let planned = try CLI.run(["dry-run", "--target", target, "--workspace", workspace])
        let rejects = try #require(
            planned.stdout.split(separator: "\n").first { $0.hasPrefix("  reject") }.flatMap {
                Int($0.split(separator: " ").last ?? "")
            })
        #expect(rejects > 10)
        let page = workspace + "/reports/plan-1/plan.html"
        let before = try String(contentsOfFile: page, encoding: .utf8)
        let table = try #require(before.components(separatedBy: "<table class=\"rejects\">").dropFirst().first)
            .components(separatedBy: "</table>")[0]
        let counts = table.components(separatedBy: "<tr><td class=num>").dropFirst().compactMap {
            Int($0.prefix { $0 != "<" }.filter(\.isNumber))
        }
        #expect(counts.count >= 5 && counts.reduce(0, +) == rejects, "\(counts) for \(rejects) rejects")
        #expect(counts == counts.sorted(by: >), "largest group first: \(counts)")
        // A customer held for review: its plan.csv line gives the map's finding, the page says how to settle it.
        let csv = try String(contentsOfFile: workspace + "/reports/plan-1/plan.csv", encoding: .utf8)
        let heldLines = csv.split(separator: "\n").filter { $0.contains("waiting for review of ") }
        #expect(
            !heldLines.isEmpty && heldLines.allSatisfy { !$0.contains("review-decisions.csv") },
            "\(heldLines.prefix(2))")
        #expect(table.contains("settle it in review-decisions.csv and map again"))
        #expect(!before.contains("<h2>Approved</h2>"))
        // At a glance: a chart of the actions and of the target after the cutover.
        let glance = try #require(before.components(separatedBy: "<h2>At a glance</h2>").dropFirst().first)
            .components(separatedBy: "</section>")[0]
        #expect(glance.contains("<title>Insert: ") && glance.contains("<title>Reject: \(rejects)</title>"))
        #expect(glance.contains("by country") && glance.contains("by account group"))
        // A first load: what the new customers bring, field by field, and each insert by its address.
        #expect(before.contains("new customers bring") && before.contains("addresses.city"))
        #expect(!before.contains("Fields that change most"), "a first load changes no customer of the target")
        let inserts = try #require(before.components(separatedBy: "<h2>Inserts").dropFirst().first)
        #expect(
            inserts.range(of: #", [0-9]{4,5} \p{L}[^<]* · "#, options: .regularExpression) != nil,
            "street, postal code and city before the count: \(inserts.prefix(800))")
        #expect(inserts.contains(" fields</td>"))

        let approved = try CLI.run(["approve", "latest", "--by", "Maria Keller (Finance)", "--workspace", workspace])
        #expect(approved.status == 0 && approved.stdout.contains("report: "), "\(approved.stdout)")
        let after = try String(contentsOfFile: page, encoding: .utf8)
        #expect(after.contains("<h2>Approved</h2>") && after.contains("<b>Maria Keller (Finance)</b>"))
    }
}
