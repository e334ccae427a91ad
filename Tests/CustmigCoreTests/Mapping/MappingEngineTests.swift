import Foundation
import Testing

@testable import CustmigCore

@Suite("Mapping engine")
struct MappingEngineTests {
    static func engine(_ name: String) throws -> MappingEngine {
        MappingEngine(mapping: try MappingLoader.load(path: MappingLoaderTests.shipped(name)))
    }

    static func record(_ fields: [String: String], control: [String: String] = [:]) -> Record {
        Record(
            fields: fields.sorted { $0.key < $1.key }.map { Field($0.key, .text($0.value)) },
            position: SourcePosition(file: "t.csv", line: 2, byteOffset: 0, index: 1),
            control: control.map { Field($0.key, .text($0.value)) })
    }

    static let clean: [String: String] = [
        "CUSTNO": "100042", "NAME1": "  Müller   Maschinenbau G.m.b.H. ", "NAME2": "", "STREET": "Hauptstraße 5",
        "ZIP": "10115", "CITY": "Berlin", "COUNTRY": "Deutschland", "PHONE": "030 1234567", "EMAIL": "INFO@MUELLER.DE",
        "VAT_ID": "DE 123 456 789", "LANG": "DE", "CURRENCY": "EUR", "PAY_TERMS": "Z030", "CREDIT_LIMIT": "12.500,00",
        "CREATED": "25.09.2011", "BLOCKED": "", "DELETED": "", "PARENT_NO": "", "ACCOUNT_GROUP": "KUNA",
        "SALES_ORG": "1000", "CHANNEL": "10", "DIVISION": "00", "INCOTERMS": "fca",
        "IBAN": "DE89 3704 0044 0532 0130 00",
        "CONTACT_NAME": "Meyer, Anna", "CONTACT_PHONE": "+49 30 7654321", "CONTACT_EMAIL": "a.meyer@mueller.de",
        "INDUSTRY": "MECH", "FAX": "",
    ]

    @Test("a clean flat-CSV record becomes a complete canonical customer")
    func cleanRecord() throws {
        let mapped = try Self.engine("legacy-flat-csv").map(Self.record(Self.clean))
        #expect(mapped.findings.isEmpty, "\(mapped.findings)")
        let customer = try #require(mapped.customer)
        #expect(customer.key == "0000100042")
        #expect(customer.legacyKey == "100042")
        #expect(customer.names == ["Müller Maschinenbau G.m.b.H."])
        #expect(customer.accountGroup == "0001")
        #expect(customer.status == .active)
        #expect(customer.vatId == "DE123456789")
        #expect(customer.language == "de")
        #expect(customer.paymentTerms == "NT30")
        #expect(customer.creditLimit == "12500.00")
        #expect(customer.createdOn == "2011-09-25")
        #expect(customer.addresses.first?.country == "DE")
        #expect(customer.contacts.first?.firstName == "Anna")
        #expect(customer.contacts.first?.lastName == "Meyer")
        #expect(customer.contacts.first?.phone == "+49307654321")
        #expect(customer.salesAreas.first?.incoterms == "FCA")
        #expect(customer.salesAreas.first?.partners == [PartnerFunction(role: .soldTo, customerKey: "100042")])
        #expect(customer.bankAccounts.first?.iban == "DE89370400440532013000")
        #expect(customer.companyCodes.first?.companyCode == "1000")
    }

    @Test(
        "data problems give findings with rule, field, value and fix",
        arguments: [
            (["DELETED": "X"], "deletion-flag", MappingFinding.Outcome.reject),
            (["NAME1": ""], "name-required", .reject),
            (["COUNTRY": "Atlantis"], "transform:country", .review),
            (["CREDIT_LIMIT": "100,00-"], "kind:amount", .review),
            (["PAY_TERMS": "Q99"], "value_map:payment_terms", .review),
            (["ZIP": "1011"], "german-postal-code", .reject),
            (["CREDIT_LIMIT": "250.000,00"], "high-credit-limit", .review),
            (["IBAN": "DE88370400440532013000"], "transform:iban", .review),
            (["BLOCKED": "?"], "value_map:flags", .review),
        ] as [([String: String], String, MappingFinding.Outcome)])
    func findings(_ change: [String: String], _ rule: String, _ outcome: MappingFinding.Outcome) throws {
        let mapped = try Self.engine("legacy-flat-csv").map(Self.record(Self.clean.merging(change) { $1 }))
        let finding = try #require(mapped.findings.first { $0.rule == rule }, "\(mapped.findings)")
        #expect(finding.outcome == outcome)
        #expect(finding.fix != nil)
        #expect(!finding.message.isEmpty)
    }

    @Test(
        "a required field the extract fills with a value custmig cannot use is named with that value, not called missing"
    )
    func requiredButUnusable() throws {
        let engine = try Self.engine("legacy-flat-csv")
        let unusable = engine.map(Self.record(Self.clean.merging(["COUNTRY": "Atlantis"]) { $1 }))
        let required = try #require(unusable.findings.first { $0.rule == "country-required" }, "\(unusable.findings)")
        #expect(required.value == "Atlantis")
        #expect(
            required.message.contains("the extract holds \"Atlantis\", which custmig could not use"),
            "\(required.message)")
        let empty = engine.map(Self.record(Self.clean.merging(["COUNTRY": ""]) { $1 }))
        let missing = try #require(empty.findings.first { $0.rule == "country-required" }, "\(empty.findings)")
        #expect(missing.value == nil && !missing.message.contains("the extract holds"), "\(missing.message)")
    }

    @Test(
        "fields that only trim, fold case, collapse spaces or truncate map as the full chain does, kind checks and notes included"
    )
    func plainSteps() throws {
        let mapping = try MappingLoader.parse(
            """
            name: plain
            version: 1
            source: {key: ID}
            customer:
              key: {from: ID, transforms: [trim]}
              name1: {from: N, transforms: [trim, collapse_spaces, upper]}
              category: {from: CAT, transforms: [trim, lower]}
              name2: {from: N2, transforms: [trim, {truncate: 5}, upper]}
            """, file: "plain.yaml")
        let engine = MappingEngine(mapping: mapping)
        let plan = try #require(mapping.customer.fields["name1"])
        #expect(plan.transforms == [.trim, .collapseSpaces, .upper])
        let clean = Self.record(["ID": " 7 ", "N": "  Anna   Meyer\tGmbH ", "CAT": " Person "])
        let mapped = engine.map(clean)
        #expect(mapped.findings.isEmpty, "\(mapped.findings)")
        #expect(mapped.customer?.key == "7")
        #expect(mapped.customer?.names == ["ANNA MEYER GMBH"])
        #expect(mapped.customer?.category == .person)
        // `explain` takes the full chain: the same values, step by step.
        let (explained, trace) = engine.explain(clean)
        #expect(explained.customer == mapped.customer)
        #expect(trace.fields.first { $0.field == "name1" }?.value == "ANNA MEYER GMBH")
        // A truncate that fits changes nothing; one that cuts still notes it, as the chain does.
        let short = engine.map(Self.record(["ID": "9", "N": "Anna", "N2": "  Büro ", "CAT": "person"]))
        #expect(short.findings.isEmpty, "\(short.findings)")
        #expect(short.customer?.names == ["ANNA", "BÜRO"])
        let long = engine.map(Self.record(["ID": "9", "N": "Anna", "N2": " Buchhaltung ", "CAT": "person"]))
        let note = try #require(long.findings.first { $0.rule == "note:truncate" }, "\(long.findings)")
        #expect(note.field == "name2" && note.value == " Buchhaltung ")
        #expect(note.message.contains("truncated from 11 to 5 characters"), "\(note.message)")
        #expect(long.customer?.names == ["ANNA", "BUCHH"])
        let (traced, _) = engine.explain(Self.record(["ID": "9", "N": "Anna", "N2": " Buchhaltung ", "CAT": "person"]))
        #expect(traced.customer == long.customer && traced.findings.map(\.message) == long.findings.map(\.message))
        // A value its kind refuses still goes to review, with the value and a fix.
        let firm = engine.map(Self.record(["ID": "8", "N": "Firm", "CAT": " Firm "]))
        let finding = try #require(firm.findings.first { $0.rule == "kind:category" }, "\(firm.findings)")
        #expect(finding.outcome == .review && finding.value == "firm" && finding.fix != nil)
        #expect(firm.customer?.category == nil)
    }

    @Test("decomposed Unicode (NFD, as macOS writes it) maps to the same composed bytes as the NFC record")
    func decomposedUnicode() throws {
        let engine = try Self.engine("legacy-flat-csv")
        var decomposed = Self.clean
        decomposed["NAME1"] = "  Mu\u{308}ller   Maschinenbau G.m.b.H. "
        decomposed["STREET"] = "Hauptstrasse 5, Ha\u{308}user\u{A0}2"
        decomposed["CITY"] = "Zu\u{308}rich"
        decomposed["CONTACT_NAME"] = "Mo\u{308}ller, Ange\u{301}lique"
        var composed = Self.clean
        composed["NAME1"] = "  Müller   Maschinenbau G.m.b.H. "
        composed["STREET"] = "Hauptstrasse 5, Häuser\u{A0}2"
        composed["CITY"] = "Zürich"
        composed["CONTACT_NAME"] = "Möller, Angélique"
        let fromNFD = try #require(engine.map(Self.record(decomposed)).customer)
        let fromNFC = try #require(engine.map(Self.record(composed)).customer)
        #expect(Array(fromNFD.jsonText.utf8) == Array(fromNFC.jsonText.utf8))
        #expect(Array((fromNFD.names.first ?? "").utf8) == Array("Müller Maschinenbau G.m.b.H.".utf8))
        #expect(fromNFD.addresses.first?.city.map { Array($0.utf8) } == Array("Zürich".utf8))
    }

    @Test(
        "control characters in a value become spaces with a note naming them; tabs and line breaks are left to the transforms"
    )
    func controlCharacters() throws {
        var record = Self.clean
        record["NAME1"] = "Alpha\u{1F}Beta GmbH"
        record["CITY"] = "Ber\u{85}lin\u{7F}"
        record["STREET"] = "Hauptstraße\t5"
        let mapped = try Self.engine("legacy-flat-csv").map(Self.record(record))
        let customer = try #require(mapped.customer)
        #expect(customer.names == ["Alpha Beta GmbH"])
        #expect(customer.addresses.first?.city == "Ber lin")
        let notes = mapped.findings.filter { $0.rule == "note:control_characters" }
        #expect(notes.count == 2, "\(mapped.findings)")
        #expect(notes.contains { $0.message.contains("U+001F") && $0.value == "Alpha\u{1F}Beta GmbH" })
        #expect(notes.contains { $0.message.contains("U+0085") && $0.message.contains("U+007F") })
        #expect(!mapped.isRejected && !mapped.needsReview)
        #expect(TextFolding.withoutControlCharacters("Straße ©\u{A0}5\ttab") == nil)
        // explain shows the value as found and each cleaning step.
        record["CITY"] = "Zu\u{308}rich\u{1F}"
        let (_, trace) = try Self.engine("legacy-flat-csv").explain(Self.record(record))
        let city = try #require(trace.fields.first { $0.source.contains("CITY") })
        #expect(Array(city.raw.utf8) == Array("Zu\u{308}rich\u{1F}".utf8))
        #expect(city.steps.prefix(2).map(\.step) == ["compose Unicode (NFC)", "control characters to spaces"])
        #expect(city.steps[1].output == "Zürich ")
    }

    @Test("a unique rule's value is handed on for the ledger to judge in extract order; the engine keeps nothing")
    func unique() throws {
        let mapping = try MappingLoader.parse(
            """
            name: u
            version: 1
            source: {key: CUSTNO}
            customer:
              key: CUSTNO
              vat_id: {from: VAT_ID, transforms: [vat_id]}
            rules:
              - id: vat-unique
                unique: vat_id
                message: two customers share a VAT id
            """, file: "u.yaml")
        let engine = MappingEngine(mapping: mapping)
        let first = engine.map(Self.record(Self.clean))
        var other = Self.clean
        other["CUSTNO"] = "100043"
        let second = engine.map(Self.record(other))
        #expect(first.findings.isEmpty && second.findings.isEmpty)
        let vat = try #require(first.customer?.vatId)
        #expect(first.uniqueValues == [UniqueValue(rule: "vat-unique", value: vat)])
        #expect(second.uniqueValues == first.uniqueValues)
        var blank = Self.clean
        blank["VAT_ID"] = ""
        #expect(engine.map(Self.record(blank)).uniqueValues.isEmpty)
    }

    @Test(
        "rules see the values they name wherever they sit: nested all/any/not, cross-field, list and customer paths"
    )
    func rulesSeeNestedAndListPaths() throws {
        let mapping = try MappingLoader.parse(
            """
            name: r
            version: 1
            source: {key: CUSTNO}
            customer:
              key: CUSTNO
              name1: NAME1
              currency: {from: CURRENCY, transforms: [currency]}
              addresses:
                - city: CITY
                  country: {from: COUNTRY, transforms: [country]}
              contacts:
                - email: {from: CONTACT_EMAIL, transforms: [email]}
              sales_areas:
                - sales_organization: SALES_ORG
                  distribution_channel: CHANNEL
                  division: DIVISION
                  partners:
                    - role: {constant: sold_to}
                      customer: PARENT_NO
            rules:
              - id: nested
                review_when:
                  all:
                    - {field: addresses.city, equals: Berlin}
                    - any:
                        - {field: contacts.email, matches: ".*@example[.]com"}
                        - not: {field: sales_areas.partners.customer, empty: true}
                message: a Berlin customer with an example address or a partner
              - id: cross
                when: {field: currency, equals: CHF}
                then: {field: addresses.country, equals: CH}
                message: francs outside Switzerland
              - id: source-read
                reject_when: {field: source.NAME1, equals: DROP}
                message: dropped
            """, file: "r.yaml")
        let engine = MappingEngine(mapping: mapping)
        func rules(_ change: [String: String]) -> [String] {
            engine.map(Self.record(Self.clean.merging(change) { $1 })).findings.map(\.rule).sorted()
        }
        #expect(rules([:]).isEmpty)
        #expect(rules(["CONTACT_EMAIL": "a@example.com"]) == ["nested"])
        #expect(rules(["PARENT_NO": "100001"]) == ["nested"])
        #expect(rules(["PARENT_NO": "100001", "CITY": "Hamburg"]).isEmpty)
        #expect(rules(["CURRENCY": "CHF"]) == ["cross"])
        #expect(rules(["CURRENCY": "CHF", "COUNTRY": "CH"]).isEmpty)
        #expect(rules(["NAME1": "DROP"]) == ["source-read"])
    }

    @Test("a blocked customer is blocked; an invalid email goes to review and stays out of the record")
    func statusAndReview() throws {
        let mapped = try Self.engine("legacy-flat-csv").map(
            Self.record(Self.clean.merging(["BLOCKED": "J", "CONTACT_EMAIL": "anna(at)mueller.de"]) { $1 }))
        #expect(mapped.customer?.status == .blocked)
        #expect(mapped.needsReview)
        #expect(mapped.customer?.contacts.first?.email == nil)
    }

    @Test("DEBMAS07: segments become sales areas, partner functions, company codes, contacts")
    func debmas() throws {
        let reader = try XMLRecordReader(path: Paths.fixture("xml/debmas-small.xml"))
        let engine = try Self.engine("sap-debmas07")
        let first = try #require(try reader.next())
        let mapped = engine.map(first)
        let customer = try #require(mapped.customer)
        #expect(customer.key == "0000100001")
        #expect(customer.salesAreas.count == 2)
        #expect(customer.salesAreas[0].partners.map(\.role) == [.soldTo, .shipTo])
        #expect(customer.salesAreas[0].partners.map(\.customerKey) == ["0000100001", "0000100002"])
        #expect(customer.companyCodes.map(\.companyCode) == ["1000"])
        #expect(customer.references == ["0000100002"])
    }

    @Test("partners: one without a customer and one whose role is no partner role are left out, in that order")
    func partnersLeftOut() throws {
        let mapping = try MappingLoader.parse(
            """
            name: p
            version: 1
            source: {key: KUNNR}
            customer:
              key: KUNNR
              name1: NAME1
              sales_areas:
                - each: E1KNVVM
                  sales_organization: VKORG
                  distribution_channel: VTWEG
                  division: SPART
                  partners:
                    - each: E1KNVPM
                      role: {from: PARVW, map: roles}
                      customer: KUNN2
            value_maps:
              roles: {values: {AG: sold_to, WE: ship_to, ZZ: agent}, unknown: reject}
            """, file: "p.yaml")
        let position = SourcePosition(file: "t.xml", line: 2, byteOffset: 0, index: 1)
        func segment(_ fields: [(String, FieldValue)]) -> Record {
            Record(fields: fields.map { Field($0.0, $0.1) }, position: position)
        }
        let partners = [("ZZ", "100001"), ("AG", ""), ("WE", "100002")].map { role, customer in
            segment([("PARVW", .text(role)), ("KUNN2", .text(customer))])
        }
        let area = segment([
            ("VKORG", .text("1000")), ("VTWEG", .text("10")), ("SPART", .text("00")), ("E1KNVPM", .list(partners)),
        ])
        let record = segment([("KUNNR", .text("100042")), ("NAME1", .text("Müller")), ("E1KNVVM", .list([area]))])
        let mapped = MappingEngine(mapping: mapping).map(record)
        let kept = try #require(mapped.customer?.salesAreas.first?.partners)
        #expect(kept.map(\.role) == [.shipTo])
        #expect(kept.map(\.customerKey) == ["100002"])
        let leftOut = mapped.findings.filter { $0.rule == "list:partners" }
        #expect(leftOut.map(\.field) == ["sales_areas.partners[1].customer", "sales_areas.partners.role"])
        #expect(leftOut.last?.value == "agent")
        #expect(mapped.needsReview)
    }

    @Test("the shipped samples map with most records clean and every problem explained")
    func samples() throws {
        for (mappingName, sample) in [("legacy-flat-csv", "customers.csv"), ("sap-debmas07", "debmas07.xml")] {
            let engine = try Self.engine(mappingName)
            let reader = try ExtractOpener.open(
                path: Paths.samples(sample), options: engine.mapping.source.extractOptions)
            var clean = 0
            var rejected = 0
            var review = 0
            while let record = try reader.next() {
                let mapped = engine.map(record)
                if mapped.isRejected { rejected += 1 } else if mapped.needsReview { review += 1 } else { clean += 1 }
                #expect(mapped.findings.allSatisfy { !$0.message.isEmpty && $0.fix != nil })
            }
            let total = clean + rejected + review
            #expect(clean * 2 > total, "\(sample): \(clean) clean, \(review) to review, \(rejected) rejected")
            #expect(rejected > 0, "\(sample) has broken records on purpose")
        }
    }

    @Test("the engine's canonical names are exactly the catalog's fields, each once, and resolve per section")
    func canonicalNames() {
        let texts = CanonicalName.allCases.map(\.text)
        let catalog = Set(CanonicalCatalog.fields.values.flatMap(\.keys))
        #expect(Set(texts) == catalog)
        #expect(Set(texts).count == texts.count)
        let slots = CanonicalName.slots(in: ["city", "country", "street"])
        #expect(slots[CanonicalName.street.rawValue] == 2)
        #expect(slots[CanonicalName.city.rawValue] == 0)
        #expect(slots[CanonicalName.iban.rawValue] == -1)
    }
}

@Suite("Truncation is reported")
struct TruncationTests {
    @Test("a name cut to 35 characters gives a note finding and leaves the record clean")
    func truncation() throws {
        let engine = try MappingEngineTests.engine("legacy-flat-csv")
        let long = String(repeating: "Maschinenbau ", count: 4) + "GmbH"
        let mapped = engine.map(MappingEngineTests.record(MappingEngineTests.clean.merging(["NAME1": long]) { $1 }))
        #expect(mapped.customer?.names.first?.count == 35)
        let note = try #require(mapped.findings.first { $0.outcome == .note })
        #expect(note.rule == "note:truncate")
        #expect(note.message == "truncate: truncated from \(long.count) to 35 characters")
        #expect(note.fix == "check the target field's length or shorten the value at the source")
        #expect(!mapped.isRejected && !mapped.needsReview)
    }

    @Test("a note's fix fits what the transform changed: a dropped display name is not a length problem")
    func noteFixFitsTheTransform() throws {
        let engine = try MappingEngineTests.engine("legacy-flat-csv")
        let record = MappingEngineTests.clean.merging(["CONTACT_EMAIL": "Anna Meyer <A.Meyer@mueller.de>"]) { $1 }
        let mapped = engine.map(MappingEngineTests.record(record))
        #expect(mapped.customer?.contacts.first?.email == "a.meyer@mueller.de")
        let note = try #require(mapped.findings.first { $0.outcome == .note })
        #expect(note.rule == "note:email")
        #expect(note.fix == "check the address; correct it at the source if it is not the one meant")
        #expect(!mapped.isRejected && !mapped.needsReview)
    }
}

@Suite("Outcome memo")
struct OutcomeMemoTests {
    @Test("an engine that has mapped thousands of records maps each record as a fresh engine would")
    func rememberedValuesChangeNothing() throws {
        let mapping = try MappingLoader.load(path: MappingLoaderTests.shipped("legacy-flat-csv"))
        let shared = MappingEngine(mapping: mapping)
        // The same phone under two countries, the same invalid email and a repeated truncated name in
        // every record, codes that repeat, and keys that never do: past the plans' trial of 4,096 values.
        let countries = ["DE", "AT", "Deutschland", "CH"]
        for index in 0..<5_000 {
            var fields = MappingEngineTests.clean
            fields["CUSTNO"] = String(200_000 + index)
            fields["COUNTRY"] = countries[index % countries.count]
            fields["CONTACT_PHONE"] = "030 1234567"
            fields["CONTACT_EMAIL"] = index % 3 == 0 ? "info(at)mueller.de" : "INFO@MUELLER.DE"
            fields["NAME1"] = index % 5 == 0 ? String(repeating: "Maschinenbau ", count: 4) : "Müller GmbH \(index % 7)"
            fields["PAY_TERMS"] = index % 11 == 0 ? "ZZZZ" : "Z030"
            fields["CREDIT_LIMIT"] = "\(index % 400).000,00"
            let record = MappingEngineTests.record(fields)
            let fresh = MappingEngine(mapping: mapping).map(record)
            let mapped = shared.map(record)
            #expect(mapped.customer == fresh.customer, "record \(index)")
            #expect(mapped.findings == fresh.findings, "record \(index)")
            if index < 4 {
                // The phone follows the record's country, and a repeated problem is reported every time.
                let phones = ["+49301234567", "+43301234567", "+49301234567", "+41301234567"]
                #expect(mapped.customer?.contacts.first?.phone == phones[index])
                #expect(mapped.findings.contains { $0.rule == "transform:email" } == (index % 3 == 0))
            }
        }
    }

}
