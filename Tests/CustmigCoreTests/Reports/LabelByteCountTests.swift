import Testing

@testable import CustmigCore

/// The field-level export's size is computed from label lengths without building the labels; each
/// table's label must measure what ``CustomerImage/label(_:)`` writes.
@Suite("Label lengths without labels")
struct LabelByteCountTests {
    @Test(
        "every table's path measures as its label",
        arguments: [
            "name1", "credit_limit", "address[legal-1].city", "contact[c-2].email", "bank_account[b1].iban",
            "sales_area[1000-10-00].incoterms", "partner_function[SH-0000100002].partner_id",
            "company_code[1000].payment_terms",
        ])
    func measures(path: String) {
        var text = path
        let counted = text.withUTF8 { CustomerImage.labelByteCount($0) }
        #expect(counted == CustomerImage.label(path).utf8.count, "\(path) -> \(CustomerImage.label(path))")
    }
}
