import Foundation
import Testing

extension TrytonTargetTests {
    @Test(
        "an IBAN two customers share, or one another party holds in Tryton, is a reject in the dry run, not a refusal at cutover"
    )
    func sharedIBANsArePredicted() throws {
        let drill = try Drill()
        // 100001 and 100004 share an IBAN (100001 comes first in the plan); 100003 has its own.
        let shared = "DE89370400440532013000", own = "GB82WEST12345698765432"
        let planned = try drill.plan {
            Self.withoutVATAndIBAN($0)
                .replacingLine("100001") { $0.field(24, shared) }
                .replacingLine("100004") { $0.field(24, "DE89 3704 0044 0532 0130 00") }
                .replacingLine("100003") { $0.field(24, own) }
        }
        let inserts = try #require(Drill.count("insert", in: planned))
        let plan = try String(contentsOfFile: drill.workspace + "/reports/plan-1/plan.csv", encoding: .utf8)
        let rejected = plan.split(separator: "\n").filter {
            $0.contains("IBAN \(shared) is also customer 0000100001's")
        }
        #expect(!rejected.isEmpty && rejected.allSatisfy { $0.contains(",0000100004,") }, "\(rejected)")
        let output = try drill.cutover()
        #expect(!output.contains("IBAN must be unique"), "\(output)")
        #expect(output.contains(": matches"), "\(output)")
        let parties = try TrytonServer.parties()
        #expect(parties.count + Self.refusedCount(output) == inserts)

        // A later wave gives 100005 the IBAN 100003 holds in Tryton now.
        let again = try drill.plan {
            Self.withoutVATAndIBAN($0)
                .replacingLine("100001") { $0.field(24, shared) }
                .replacingLine("100003") { $0.field(24, own) }
                .replacingLine("100005") { $0.field(24, own) }
        }
        #expect(Drill.count("update", in: again) == 0, "\(again)")
        let second = try String(contentsOfFile: drill.workspace + "/reports/plan-2/plan.csv", encoding: .utf8)
        let held = second.split(separator: "\n").filter { $0.contains("IBAN \(own) is already on another party's") }
        #expect(!held.isEmpty && held.allSatisfy { $0.contains(",0000100005,") }, "\(held)")
        // 100001 keeps its own IBAN: an unchanged party is no claim against itself.
        #expect(!second.contains("IBAN \(shared)"))
    }
}
