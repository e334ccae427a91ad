import Foundation
import GRDB
import Testing

@testable import CustmigCore

@Suite("Last-loaded images as the target stores them")
struct StoredImageTextTests {
    /// A customer as a first load writes it: every child table, identity columns in every row.
    static let loaded = CustomerImage(values: [
        "external_id": "0000100001", "name1": "Bauer Transport GmbH", "account_group": "0001", "status": "active",
        "vat_id": "DE910974381", "language": "de", "currency": "EUR", "payment_terms": "NT30",
        "credit_limit": "57500.00", "created_on": "2024-07-14",
        "address[legal-1].address_id": "legal-1", "address[legal-1].kind": "legal",
        "address[legal-1].street": "Königsallee 138", "address[legal-1].postal_code": "50491",
        "address[legal-1].city": "Köln", "address[legal-1].country": "DE",
        "contact[1].contact_id": "1", "contact[1].last_name": "François Jansen", "contact[1].phone": "+492219365267",
        "bank_account[1].bank_account_id": "1", "bank_account[1].iban": "DE89370400440532013000",
        "sales_area[1000/10/00].sales_organization": "1000", "sales_area[1000/10/00].distribution_channel": "10",
        "sales_area[1000/10/00].division": "00", "sales_area[1000/10/00].incoterms": "DAP",
        "partner_function[1000/10/00/sold_to/0000100001].sales_organization": "1000",
        "partner_function[1000/10/00/sold_to/0000100001].distribution_channel": "10",
        "partner_function[1000/10/00/sold_to/0000100001].division": "00",
        "partner_function[1000/10/00/sold_to/0000100001].role": "sold_to",
        "partner_function[1000/10/00/sold_to/0000100001].partner_id": "0000100001",
        "company_code[1000].company_code": "1000", "company_code[1000].reconciliation_account": "0000140000",
    ])

    @Test("a loaded customer is stored compactly (under a third of its JSON) and reads back to the same image")
    func compactRoundTrip() throws {
        let text = try #require(StoredImageText.compact(Self.loaded.rows))
        #expect(text.utf8.first == StoredImageText.start)
        #expect(text.utf8.count * 3 < Self.loaded.jsonText.utf8.count, "\(text.utf8.count) vs JSON")
        #expect(CustomerImage(storedText: text) == Self.loaded)
        #expect(StoredImageText.rows(text) == Self.loaded.rows)
        #expect(CustomerImage(storedText: StoredImageText.compact(CustomerImage().rows)!) == CustomerImage())
    }

    @Test(
        "awkward images (row ids not made of their identity, `]` in ids, separator bytes in values) read back the same")
    func awkwardImages() throws {
        var compact = 0
        for image in ImageJSONTests.images() {
            let text = StoredImageText.text(image.rows) { image.jsonText }
            #expect(CustomerImage(storedText: text) == image, "\(text.debugDescription)")
            if text.utf8.first == StoredImageText.start { compact += 1 }
        }
        #expect(compact > 20)
        let separator = CustomerImage(values: ["name1": "A\u{1F}B", "address[1].address_id": "1"])
        #expect(StoredImageText.compact(separator.rows) == nil)
        let unknown = CustomerImage(values: ["name1": "A", "nickname": "B"])
        #expect(StoredImageText.compact(unknown.rows) == nil)
        #expect(StoredImageText.compact(CustomerImage(values: ["loyalty[1].points": "3"]).rows) == nil)
        let text = StoredImageText.text(unknown.rows) { unknown.jsonText }
        #expect(text == unknown.jsonText)
        #expect(CustomerImage(storedText: text) == unknown)
    }

    @Test("a new customer's plan image read the direct way binds and stores exactly what the general path does")
    func directImage() throws {
        var direct = 0
        for image in ImageJSONTests.images() + [Self.loaded, CustomerImage()] {
            let json = image.jsonText
            let general = PreparedImages(json: json, beforeJSON: nil)
            let prepared = PreparedImages(json: json, beforeJSON: nil, fingerprint: image.fingerprint)
            #expect(prepared.bound == general.bound, "\(json)")
            #expect(prepared.loadedText == general.loadedText, "\(json)")
            #expect(prepared.fingerprint == general.fingerprint && prepared.rows == general.rows, "\(json)")
            if let read = DirectImage.read(json: json) {
                direct += 1
                #expect(read.loadedText == StoredImageText.compact(image.rows), "\(json)")
            } else {
                #expect(StoredImageText.compact(image.rows) == nil, "the general path stores it compactly: \(json)")
            }
        }
        #expect(direct > 20)
        // What the direct way cannot hold goes the general way: an unknown column, a separator byte.
        for values in [["name1": "A", "nickname": "B"], ["name1": "A\u{1E}B"], ["loyalty[1].points": "3"]] {
            let image = CustomerImage(values: values)
            #expect(DirectImage.read(json: image.jsonText) == nil)
            let prepared = PreparedImages(json: image.jsonText, beforeJSON: nil, fingerprint: image.fingerprint)
            #expect(prepared.loadedText == image.jsonText && prepared.rows == image.rows)
        }
        #expect(DirectImage.read(json: "not an image") == nil)
    }

    @Test(
        "a person with identifiers round-trips; a text stored by schema version 2 (no person columns) reads as before")
    func personsAndVersionTwoTexts() throws {
        var person = Self.loaded
        person.values["category"] = "person"
        person.values["first_name"] = "Kayla"
        person.values["last_name"] = "Harrington"
        person.values["birth_date"] = "1915-06-12"
        person.values["identifier[national_id-1].identifier_id"] = "national_id-1"
        person.values["identifier[national_id-1].type"] = "national_id"
        person.values["identifier[national_id-1].country"] = "AU"
        person.values["identifier[national_id-1].value"] = "9004242"
        let text = try #require(StoredImageText.compact(person.rows))
        #expect(CustomerImage(storedText: text) == person)
        // Version 2 wrote 22 customer values; the five person columns after them did not exist.
        var bytes = Array(try #require(StoredImageText.compact(Self.loaded.rows)).utf8)
        let firstRow = try #require(bytes.firstIndex(of: StoredImageText.rowSeparator))
        #expect(bytes[(firstRow - 5)..<firstRow].allSatisfy { $0 == StoredImageText.valueEnd })
        bytes.removeSubrange((firstRow - 5)..<firstRow)
        #expect(CustomerImage(storedText: String(decoding: bytes, as: UTF8.self)) == Self.loaded)
        let customerOnly = Array(try #require(StoredImageText.compact(CustomerImage(values: ["name1": "A"]).rows)).utf8)
        #expect(
            CustomerImage(storedText: String(decoding: customerOnly.dropLast(5), as: UTF8.self))
                == CustomerImage(values: ["name1": "A"]))
    }

    @Test("a damaged compact text is not an image")
    func damaged() throws {
        let text = try #require(StoredImageText.compact(Self.loaded.rows))
        var bytes = Array(text.utf8)
        #expect(CustomerImage(storedText: String(decoding: bytes.prefix(bytes.count / 2), as: UTF8.self)) == nil)
        let firstRow = try #require(bytes.firstIndex(of: StoredImageText.rowSeparator))
        bytes[firstRow + 1] = UInt8(ascii: "9")
        #expect(CustomerImage(storedText: String(decoding: bytes, as: UTF8.self)) == nil)
        #expect(CustomerImage(storedText: "\u{2}only one value") == nil)
        #expect(CustomerImage(storedText: "not an image") == nil)
    }

    @Test(
        "a version 1 target (JSON images) opens upgraded to the current version (person columns, identifier table), and its JSON images still serve as the base"
    )
    func versionOneTarget() throws {
        let folder = try Paths.scratch()
        let target = try SQLiteTarget.initialize(path: folder + "/t.db", codes: CodeLists())
        try target.database.write { db in
            try db.execute(sql: "UPDATE custmig_meta SET value = '1' WHERE key = 'schema_version'")
            try db.execute(sql: "ALTER TABLE custmig_undo DROP COLUMN loaded_before_plan")
            try db.execute(sql: "ALTER TABLE custmig_undo DROP COLUMN loaded_before_at")
            try db.execute(
                sql: """
                    INSERT INTO custmig_loaded (canonical_key, image, image_hash, source_hash, plan_hash, loaded_at)
                    VALUES ('K1', ?, 'h', NULL, 'p', 't')
                    """, arguments: [Self.loaded.jsonText])
        }
        try target.close()
        let reopened = try SQLiteTarget(path: folder + "/t.db")
        let version = try reopened.database.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM custmig_meta WHERE key = 'schema_version'")
        }
        #expect(version == String(TargetSchema.version))
        let undoColumns = try reopened.database.read { db in try db.columns(in: "custmig_undo").map(\.name) }
        #expect(undoColumns.contains("loaded_before_plan") && undoColumns.contains("loaded_before_at"))
        let customerColumns = try reopened.database.read { db in try db.columns(in: "customer").map(\.name) }
        #expect(["category", "title", "first_name", "last_name", "birth_date"].allSatisfy(customerColumns.contains))
        #expect(try reopened.database.read { db in try db.tableExists("identifier") })
        let base = try #require(try reopened.loaded(keys: ["K1"], images: true)["K1"])
        #expect(CustomerImage(storedText: base.image) == Self.loaded)
        try reopened.close()
    }
}
