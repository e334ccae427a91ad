import Foundation
import GRDB
import Testing

@testable import CustmigCore

/// The ledger's compact canonical record: it holds exactly what the JSON held (the record hash, taken
/// of the JSON, survives a round trip), refuses damage instead of half reading it, and ledgers written
/// before it (JSON text, hex hashes) plan the same as ledgers written with it.
@Suite("compact canonical record")
struct CompactRecordTests {
    /// Customers with every kind of value: absent and empty, long (multi-byte lengths), non-ASCII,
    /// control characters, every enumeration case, partners pointing at themselves and at others.
    static func customers(count: Int, seed: UInt64 = KillLoop.seed) -> [CanonicalCustomer] {
        var random = SampleRandom(seed: seed)
        let words = [
            "", "Müller", "ÆØÅ", "😀", "a\"b\\c", "line\nbreak\u{1}", String(repeating: "x", count: 300), "0001",
        ]
        func text() -> String { random.pick(words) + random.digits(random.below(4)) }
        func maybe() -> String? { random.chance(0.3) ? nil : text() }
        return (0..<count).map { number in
            let legacyKey = "L\(number)"
            var customer = CanonicalCustomer(key: random.chance(0.5) ? "K\(number)" : legacyKey, legacyKey: legacyKey)
            customer.names = (0..<random.below(4)).map { _ in text() }
            customer.category = random.chance(0.3) ? nil : random.pick(CustomerCategory.allCases)
            customer.title = maybe()
            customer.firstName = maybe()
            customer.lastName = maybe()
            customer.birthDate = maybe()
            customer.searchTerm = maybe()
            customer.accountGroup = maybe()
            customer.status = random.pick(CustomerStatus.allCases)
            for area in ["order", "billing", ""] where random.chance(0.3) { customer.blocks[area] = text() }
            customer.vatId = maybe()
            for kind in ["tax_number_1", "tax_number_2"] where random.chance(0.3) { customer.taxNumbers[kind] = text() }
            customer.language = maybe()
            customer.currency = maybe()
            customer.industry = maybe()
            customer.parentKey = random.chance(0.2) ? legacyKey : maybe()
            customer.paymentTerms = maybe()
            customer.creditLimit = maybe()
            customer.createdOn = maybe()
            customer.addresses = (0..<random.below(3)).map { _ in
                var address = Address(kind: random.pick(Address.Kind.allCases))
                (address.street, address.houseNumber, address.postalCode) = (maybe(), maybe(), maybe())
                (address.city, address.region, address.country, address.poBox) = (maybe(), maybe(), maybe(), maybe())
                return address
            }
            customer.contacts = (0..<random.below(3)).map { _ in
                var contact = Contact()
                (contact.id, contact.firstName, contact.lastName, contact.phone) = (maybe(), maybe(), maybe(), maybe())
                (contact.email, contact.department, contact.function) = (maybe(), maybe(), maybe())
                return contact
            }
            customer.salesAreas = (0..<random.below(3)).map { _ in
                var area = SalesArea(salesOrganization: text(), distributionChannel: text(), division: text())
                (area.currency, area.paymentTerms, area.incoterms) = (maybe(), maybe(), maybe())
                (area.incotermsLocation, area.customerGroup) = (maybe(), maybe())
                area.partners = (0..<random.below(4)).map { _ in
                    PartnerFunction(
                        role: random.pick(PartnerFunction.Role.allCases),
                        customerKey: random.chance(0.5) ? legacyKey : "L\(random.below(count))")
                }
                return area
            }
            customer.companyCodes = (0..<random.below(3)).map { _ in
                var code = CompanyCode(companyCode: text())
                (code.reconciliationAccount, code.paymentTerms) = (maybe(), maybe())
                return code
            }
            customer.bankAccounts = (0..<random.below(3)).map { _ in
                var account = BankAccount()
                (account.iban, account.bankCountry, account.bankKey) = (maybe(), maybe(), maybe())
                (account.accountNumber, account.holder) = (maybe(), maybe())
                return account
            }
            customer.identifiers = (0..<random.below(3)).map { _ in
                Identifier(type: text(), country: maybe(), value: text())
            }
            return customer
        }
    }

    static func decode(_ bytes: [UInt8], like customer: CanonicalCustomer) -> CanonicalCustomer? {
        bytes.withUnsafeBufferPointer { CompactRecord.decode($0, key: customer.key, legacyKey: customer.legacyKey) }
    }

    @Test("every value reads back as it was, so the record hash (of the JSON) is the same")
    func roundTrip() throws {
        for customer in Self.customers(count: 2_000) {
            let bytes = CompactRecord.encode(customer)
            let decoded = Self.decode(bytes, like: customer)
            #expect(decoded == customer, "seed \(KillLoop.seed): \(customer.jsonText)")
            #expect(decoded?.jsonText == customer.jsonText)
            #expect(
                CanonicalStore.Stored(key: customer.key, legacyKey: customer.legacyKey, bytes: bytes).recordHash
                    == Hash128(hex: CustomerSet.recordHash(customer.jsonText)))
            #expect(
                CanonicalStore.Stored(key: customer.key, legacyKey: customer.legacyKey, bytes: bytes).accountGroup
                    == customer.accountGroup)
        }
    }

    @Test("a record cut short, with a byte changed in a length, or with bytes after its end is refused")
    func damage() throws {
        var refused = 0
        for customer in Self.customers(count: 200) {
            let bytes = CompactRecord.encode(customer)
            for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 16)) {
                #expect(Self.decode(Array(bytes[..<cut]), like: customer) == nil, "cut at \(cut) of \(bytes.count)")
            }
            #expect(Self.decode(bytes + [0], like: customer) == nil)
            var other = bytes
            other[0] = 2  // a format this build does not know
            #expect(Self.decode(other, like: customer) == nil)
            // A changed byte either still reads whole (a value changed: the record hash tells) or is refused.
            var flipped = bytes
            flipped[bytes.count / 2] ^= 0x40
            if let read = Self.decode(flipped, like: customer) {
                #expect(read != customer || flipped == bytes)
            } else {
                refused += 1
            }
        }
        #expect(refused > 0)
    }

    @Test("about a third of the JSON on the shipped samples")
    func size() throws {
        let sample = try MappedSample()
        let (json, compact) = try DatabaseQueue(path: sample.workspace + "/ledger.sqlite").read { db in
            let records = try StoredRecords.read(db).filter { $0.customer != nil }
            return (
                records.reduce(0) { $0 + ($1.customer?.jsonText.utf8.count ?? 0) },
                records.reduce(0) { $0 + $1.bytes.count }
            )
        }
        #expect(json > 0 && compact * 2 < json, "compact \(compact) bytes, JSON \(json)")
    }

    @Test(
        "a ledger of schema v12 (JSON records, sentences in every finding, the legacy-key index) upgrades and reads as before"
    )
    func upgradeFromV12() throws {
        let sample = try MappedSample()
        let ledger = sample.workspace + "/ledger.sqlite"
        let (findingsBefore, statusBefore) = try (
            Self.reported(ledger), try CLI.run(["status", "--workspace", sample.workspace]).stdout
        )
        #expect(findingsBefore.count > 20)
        // As custmig before v13 left it.
        try DatabaseQueue(path: ledger).write { db in
            try StoredRecords.rewriteAsJSON(db)
            try db.execute(
                sql: """
                    UPDATE finding SET message = (SELECT message FROM finding_shown s WHERE s.id = finding.id),
                    fix = (SELECT fix FROM finding_shown s WHERE s.id = finding.id)
                    """)
            try db.execute(sql: "DROP VIEW finding_shown")
            try db.execute(sql: "DROP TABLE finding_text")
            try db.execute(sql: "ALTER TABLE finding DROP COLUMN message_id")
            try db.execute(sql: "ALTER TABLE finding DROP COLUMN fix_id")
            try db.execute(sql: "CREATE INDEX canonical_record_by_legacy_key ON canonical_record(legacy_key)")
            try db.execute(
                sql: "DELETE FROM grdb_migrations WHERE identifier IN ('v13-compact-records', 'v14-finding-texts')")
        }
        let status = try CLI.run(["status", "--workspace", sample.workspace])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stderr.contains("v13-compact-records") && status.stderr.contains("v14-finding-texts"))
        // The counts and runs read as before (the disk figures differ: the records are JSON again).
        #expect(
            status.stdout.split(separator: "\n").filter { !$0.contains("disk:") }
                == statusBefore.split(separator: "\n").filter { !$0.contains("disk:") })
        // The findings, stored as whole sentences, are shown as they were; explain still finds a record.
        #expect(try Self.reported(ledger) == findingsBefore)
        let explained = try CLI.run(["explain", "100001", "--workspace", sample.workspace])
        #expect(explained.status == 0, "\(explained.stderr)")
        let indexes = try DatabaseQueue(path: ledger).read { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'canonical_record'")
        }
        #expect(!indexes.contains("canonical_record_by_legacy_key"))
    }

    /// The findings of map run 1 as the reject report lists them.
    static func reported(_ path: String) throws -> [String] {
        var lines: [String] = []
        try Ledger(path: path).database.read { db in
            try FindingStore.forEachReported(run: 1, db: db) { finding in
                lines.append(
                    [
                        finding.outcome, finding.rule, finding.legacyKey ?? "", finding.field ?? "",
                        finding.value ?? "",
                        finding.message, finding.fix ?? "",
                    ].joined(separator: "|"))
            }
        }
        return lines
    }

    @Test("a ledger written before the compact format (JSON text, hex hashes) makes the same plan")
    func ledgerFromBefore() throws {
        let sample = try MappedSample()
        let copy = sample.folder + "/before"
        try FileManager.default.copyItem(atPath: sample.workspace, toPath: copy)
        try DatabaseQueue(path: copy + "/ledger.sqlite").write { db in try StoredRecords.rewriteAsJSON(db) }
        let stored = try DatabaseQueue(path: copy + "/ledger.sqlite").read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT typeof(data) || '/' || typeof(data_hash) || ' ' || COUNT(*) FROM canonical_record GROUP BY typeof(data), typeof(data_hash)"
            )
        }
        #expect(stored.count == 1 && stored.first?.hasPrefix("text/text") == true, "\(stored)")
        var hashes: [String] = []
        for workspace in [sample.workspace, copy] {
            let planned = try CLI.run(["dry-run", "--target", sample.target, "--workspace", workspace, "--quiet"])
            #expect(planned.status == 0, "\(planned.stderr)")
            let hash = planned.stdout.firstMatch(of: /\nhash ([0-9a-f]{64})/).map { String($0.1) }
            hashes.append(try #require(hash, "\(planned.stdout)"))
        }
        #expect(hashes[0] == hashes[1])
        // …and it cuts over from the records as they were stored.
        let cutover = try CLI.run(["cutover", "latest", "--allow-unapproved", "--workspace", copy, "--quiet"])
        #expect(cutover.status == 0, "\(cutover.stderr)")
    }
}
