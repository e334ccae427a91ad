import Foundation
import Testing

@testable import CustmigCore

/// Tryton's getter of a company-dependent field, as custmig replays it on the value records a page
/// reads (no server: the records are what Tryton answers to `langs.company`, `langs.lang`).
@Suite("Tryton company-dependent fields")
struct TrytonCompanyValuesPickTests {
    let values = TrytonCompanyValues(company: 1, defaults: ["lang": 7, "customer_payment_term": 3])

    func language(_ records: [[String: Any]]) -> Int? {
        (values.values(of: TrytonRecord(values: ["id": 10, "langs.": records]))["lang"] as? NSNumber)?.intValue
    }

    @Test("the company's record wins over one for no company, whatever their order")
    func companyBeforeNone() {
        #expect(language([["id": 1, "company": NSNull(), "lang": 5], ["id": 2, "company": 1, "lang": 9]]) == 9)
        #expect(language([["id": 1, "company": 1, "lang": 9], ["id": 2, "company": NSNull(), "lang": 5]]) == 9)
    }

    @Test("another company's record is skipped; one for no company serves every company")
    func otherCompanySkipped() {
        #expect(language([["id": 1, "company": 2, "lang": 4], ["id": 2, "company": NSNull(), "lang": 5]]) == 5)
        #expect(language([["id": 1, "company": 2, "lang": 4]]) == 7, "no record for us: Tryton's default")
    }

    @Test("no record: the default; a record without a value: no value, not the default")
    func defaultsOnlyWithoutRecord() {
        #expect(language([]) == 7)
        let empty = values.values(
            of: TrytonRecord(values: ["id": 10, "langs.": [["id": 1, "company": 1, "lang": NSNull()]]]))
        #expect(empty["lang"] is NSNull)
    }

    @Test("a field asked for by name is taken as Tryton answered it")
    func byName() {
        let record = TrytonRecord(values: ["id": 10, "lang": 3, "customer_payment_term": NSNull()])
        #expect((values.values(of: record)["lang"] as? NSNumber)?.intValue == 3)
        #expect(values.values(of: record)["payment_term"] is NSNull)
    }
}
