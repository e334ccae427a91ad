import Foundation
import GRDB
import Testing

@testable import CustmigCore

/// The ledger's records read back by custmig's own reader must give what `JSONDecoder` gives: the same
/// customer for every text it accepts, nothing for every text it refuses.
@Suite("Canonical records read back")
struct CanonicalRecordDecodingTests {
    static func random(_ round: Int, using generator: inout some RandomNumberGenerator) -> CanonicalCustomer {
        func value() -> String? {
            Bool.random(using: &generator)
                ? nil
                : ImageJSONTests.tricky.randomElement(using: &generator)!
                    + " / \(Int.random(in: 0...99, using: &generator))"
        }
        var customer = CanonicalCustomer(key: "K\(round)", legacyKey: "L/\(round)\u{7}")
        customer.names = (0..<Int.random(in: 0...4, using: &generator)).map { _ in value() ?? "" }
        customer.searchTerm = value()
        customer.accountGroup = value()
        customer.status = CustomerStatus.allCases.randomElement(using: &generator)!
        customer.blocks = Bool.random(using: &generator) ? ["order": value() ?? "01", "billing": "😀"] : [:]
        customer.vatId = value()
        customer.taxNumbers = Bool.random(using: &generator) ? ["tax_number_1": value() ?? ""] : [:]
        customer.language = value()
        customer.currency = value()
        customer.industry = value()
        customer.parentKey = value()
        customer.paymentTerms = value()
        customer.creditLimit = value()
        customer.createdOn = value()
        customer.category =
            Bool.random(using: &generator) ? nil : CustomerCategory.allCases.randomElement(using: &generator)
        (customer.title, customer.firstName, customer.lastName, customer.birthDate) = (
            value(), value(), value(), value()
        )
        for _ in 0..<Int.random(in: 0...2, using: &generator) {
            customer.identifiers.append(
                Identifier(type: value() ?? "national_id", country: value(), value: value() ?? "1"))
        }
        for kind in Address.Kind.allCases where Bool.random(using: &generator) {
            var address = Address(kind: kind)
            (address.street, address.houseNumber, address.postalCode) = (value(), value(), value())
            (address.city, address.region, address.country, address.poBox) = (value(), value(), value(), value())
            customer.addresses.append(address)
        }
        for _ in 0..<Int.random(in: 0...3, using: &generator) {
            var contact = Contact()
            (contact.id, contact.firstName, contact.lastName, contact.phone) = (value(), value(), value(), value())
            (contact.email, contact.department, contact.function) = (value(), value(), value())
            customer.contacts.append(contact)
        }
        for _ in 0..<Int.random(in: 0...2, using: &generator) {
            var area = SalesArea(
                salesOrganization: value() ?? "1000", distributionChannel: "10", division: value() ?? "")
            (area.currency, area.paymentTerms, area.incoterms) = (value(), value(), value())
            (area.incotermsLocation, area.customerGroup) = (value(), value())
            area.partners = PartnerFunction.Role.allCases.filter { _ in Bool.random(using: &generator) }.map {
                PartnerFunction(role: $0, customerKey: value() ?? "L1")
            }
            customer.salesAreas.append(area)
        }
        for _ in 0..<Int.random(in: 0...2, using: &generator) {
            var code = CompanyCode(companyCode: value() ?? "1000")
            (code.reconciliationAccount, code.paymentTerms) = (value(), value())
            customer.companyCodes.append(code)
        }
        for _ in 0..<Int.random(in: 0...2, using: &generator) {
            var bank = BankAccount()
            (bank.iban, bank.bankCountry, bank.bankKey, bank.accountNumber, bank.holder) = (
                value(), value(), value(), value(), value()
            )
            customer.bankAccounts.append(bank)
        }
        return customer
    }

    static func viaFoundation(_ text: String) -> CanonicalCustomer? {
        try? JSONDecoder().decode(CanonicalCustomer.self, from: Data(text.utf8))
    }

    @Test("records as the map writes them and as JSONEncoder writes them read back as the same customer")
    func roundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        for round in 0..<400 {
            let customer = Self.random(round, using: &generator)
            let written = customer.jsonText
            #expect(CanonicalCustomer.decode(json: written) == customer, "\(written)")
            #expect(Self.viaFoundation(written) == customer)
            // Pretty-printed, `/` escaped, keys in another writer's layout.
            let foreign = String(decoding: try encoder.encode(customer), as: UTF8.self)
            #expect(CanonicalCustomer.decode(json: foreign) == customer, "\(foreign)")
        }
    }

    @Test("the duplicates stage's reader gives exactly the fields matching reads, and needs only the key")
    func matchingFields() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<400 {
            let customer = Self.random(round, using: &generator)
            var expected = CanonicalCustomer(key: customer.key, legacyKey: "")
            expected.names = customer.names
            expected.category = customer.category
            (expected.firstName, expected.lastName, expected.birthDate) = (
                customer.firstName, customer.lastName, customer.birthDate
            )
            (expected.vatId, expected.taxNumbers, expected.identifiers) = (
                customer.vatId, customer.taxNumbers, customer.identifiers
            )
            (expected.addresses, expected.contacts) = (customer.addresses, customer.contacts)
            #expect(CanonicalCustomer.decodeForMatching(json: customer.jsonText) == expected, "\(customer.jsonText)")
        }
        // Lists matching does not read may be missing or malformed; a record without a key is refused.
        let base = CanonicalCustomer(key: "K1", legacyKey: "1").jsonText
        let partial = base.replacingOccurrences(of: "\"salesAreas\":[],", with: "\"salesAreas\":7,")
        #expect(CanonicalCustomer.decode(json: partial) == nil)
        #expect(CanonicalCustomer.decodeForMatching(json: partial)?.key == "K1")
        #expect(CanonicalCustomer.decodeForMatching(json: "{\"names\":[\"A\"]}") == nil)
        #expect(
            CanonicalCustomer.decodeForMatching(
                json: base.replacingOccurrences(of: "\"names\":[]", with: "\"names\":3")) == nil)
    }

    @Test("texts JSONDecoder refuses are refused; unknown keys and escapes read as JSONDecoder reads them")
    func refusalsAndOddities() {
        let base = CanonicalCustomer(key: "K1", legacyKey: "1").jsonText
        let cases = [
            base,
            base.replacingOccurrences(of: "\"status\":\"active\"", with: "\"status\":\"archived\""),
            base.replacingOccurrences(of: "\"key\":\"K1\"", with: "\"key\":17"),
            base.replacingOccurrences(of: "\"names\":[],", with: ""),
            base.replacingOccurrences(of: "\"key\":\"K1\"", with: "\"key\":\"K\\u00fc\\ud83d\\ude00\\/\\b\""),
            base.replacingOccurrences(of: "\"key\":\"K1\"", with: "\"key\":\"K\\ud83d\""),
            base.replacingOccurrences(of: "{", with: "{\"future\":{\"a\":[1,2.5e3,true,null,\"x\"]},"),
            base.replacingOccurrences(of: "\"status\"", with: "\"vatId\":null,\"status\""),
            // A key spelt with an escape, and an unknown member whose string has a bad escape.
            base.replacingOccurrences(of: "\"key\":", with: "\"k\\u0065y\":"),
            base.replacingOccurrences(of: "{", with: "{\"future\":\"a\\qb\","),
            base.replacingOccurrences(of: "{", with: "{\"future\":\"a\\\"b\\\\\","),
            base + " x",
            String(base.dropLast()),
            "[]", "", "null",
        ]
        for text in cases {
            #expect(CanonicalCustomer.decode(json: text) == Self.viaFoundation(text), "\(text)")
        }
        #expect(CanonicalCustomer.decode(json: cases[4])?.key == "Kü😀/\u{8}")
        #expect(CanonicalCustomer.decode(json: cases[1]) == nil)
        #expect(CanonicalCustomer.decode(json: cases[8])?.key == "K1")
        #expect(CanonicalCustomer.decode(json: cases[9]) == nil)
        #expect(CanonicalCustomer.decode(json: cases[10])?.key == "K1")
    }

    @Test("every record of the mapped sample, rendered as JSON, reads back as JSONDecoder reads it")
    func mappedSample() throws {
        let sample = try MappedSample()
        let queue = try DatabaseQueue(path: sample.workspace + "/ledger.sqlite")
        let texts = try queue.read { try StoredRecords.json($0) }
        #expect(texts.count > 20)
        for text in texts {
            let decoded = CanonicalCustomer.decode(json: text)
            // A record the map rejected keeps no data ("{}"): nothing to read, for either reader.
            #expect(decoded != nil || text == "{}", "\(text)")
            #expect(decoded == Self.viaFoundation(text), "\(text)")
        }
    }
}
