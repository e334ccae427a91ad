import CustmigCore
import Foundation
import GRDB
import Testing

@Suite("The SQLite target")
struct TargetTests {
    @Test("a missing file, a foreign database and another schema version are refused with the reason and the fix")
    func refusals() throws {
        let folder = try Paths.scratch()
        #expect { try SQLiteTarget(path: folder + "/none.db") } throws: {
            ($0 as? CustmigError)?.code == "TARGET-MISSING"
        }
        let foreign = try DatabaseQueue(path: folder + "/erp.db")
        try foreign.write { db in try db.execute(sql: "CREATE TABLE kna1 (kunnr TEXT)") }
        try foreign.close()
        #expect { try SQLiteTarget(path: folder + "/erp.db") } throws: { error in
            let error = error as? CustmigError
            return error?.code == "TARGET-FOREIGN" && error?.fix?.contains("custmig target init") == true
        }
        try Data("not a database at all, just text".utf8).write(to: URL(fileURLWithPath: folder + "/text.db"))
        #expect { try SQLiteTarget(path: folder + "/text.db") } throws: {
            ($0 as? CustmigError)?.code == "TARGET-UNREADABLE"
        }
        let target = try SQLiteTarget.initialize(path: folder + "/t.db", codes: CodeLists())
        try target.close()
        let queue = try DatabaseQueue(path: folder + "/t.db")
        try queue.write { db in try db.execute(sql: "UPDATE custmig_meta SET value = '99' WHERE key = 'schema_version'")
        }
        try queue.close()
        #expect { try SQLiteTarget(path: folder + "/t.db") } throws: { ($0 as? CustmigError)?.code == "TARGET-VERSION" }
        #expect { try SQLiteTarget.initialize(path: folder + "/t.db", codes: CodeLists()) } throws: {
            ($0 as? CustmigError)?.code == "TARGET-EXISTS"
        }
        #expect { try TargetLocation(parsing: "oracle://x") } throws: { ($0 as? CustmigError)?.code == "TARGET-KIND" }
        let postgres = try TargetLocation(
            parsing: "postgresql://mig:s3cret@127.0.0.1:5433/erp?schema=wave1&sslmode=disable")
        #expect(!postgres.description.contains("s3cret"), "a password is never shown: \(postgres)")
        #expect(postgres.description == "postgresql://mig@127.0.0.1:5433/erp?sslmode=disable&schema=wave1")
        if case .postgresql(let location) = postgres {
            #expect(location.schema == "wave1")
            #expect(location.connectionURI == "postgresql://mig:s3cret@127.0.0.1:5433/erp?sslmode=disable")
        }
        #expect { try TargetLocation(parsing: "postgresql://h/db?schema=Bad-Name") } throws: {
            ($0 as? CustmigError)?.code == "TARGET-SCHEMA"
        }
        #expect(try TargetLocation(parsing: "sqlite:/tmp/a.db") == .sqlite(path: "/tmp/a.db"))
    }

    @Test("a code-list file with unknown kinds, duplicate codes or bad number ranges is refused with its lines")
    func codeListFile() throws {
        let folder = try Paths.scratch()
        let path = folder + "/codes.csv"
        try """
        kind,code,description,detail
        payment_terms,NT30,30 days net,
        paymnt_terms,NT14,14 days net,
        payment_terms,NT30,again,
        account_group,0001,Sold-to,12-999
        """.write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try CodeLists.read(path: path) } throws: { error in
            let text = "\(error)"
            return text.contains("codes.csv:3") && text.contains("did you mean") && text.contains("codes.csv:4")
                && text.contains("already defined on line 2") && text.contains("codes.csv:5")
        }
        let shipped = try CodeLists.read(path: Paths.samples("target-codes.csv"))
        #expect(shipped.entries["country"]?.count == 249)
        #expect(shipped.contains("NT30", kind: "payment_terms"))
        #expect(NumberRange(shipped.entries["account_group"]?["0001"]?.detail ?? "")?.contains("0001000123") == true)
    }

    @Test("a row fingerprint covers the customer row and its child rows, and nothing else")
    func fingerprints() {
        var customer = CanonicalCustomer(key: "0000000042", legacyKey: "42")
        customer.names = ["Muster GmbH"]
        var address = Address()
        address.city = "Köln"
        address.country = "DE"
        customer.addresses = [address]
        var unresolved: [String] = []
        let image = CustomerImage(customer, externalId: customer.key, resolve: { _ in nil }, unresolved: &unresolved)
        var same = CustomerImage(customer, externalId: customer.key, resolve: { _ in nil }, unresolved: &unresolved)
        #expect(image.fingerprint == same.fingerprint)
        same.values["address[legal-1].city"] = "Koeln"
        #expect(image.fingerprint != same.fingerprint)
        #expect(CustomerImage(json: image.jsonText) == image)
        let tricky = CustomerImage(values: [
            "name1": "Say \"hi\"\\ \n\t\u{1}", "city": "Zürich 🏔", "contact[a]b].email": "x@y.z",
        ])
        #expect(CustomerImage(json: tricky.jsonText) == tricky)
        #expect(CustomerImage(json: "{\"a\":1}") == nil, "only strings")
        #expect(image.fingerprint.count == 32)
    }

    /// An upsert of a bare active customer, optionally referring to a parent.
    static func upsert(_ id: String, name: String, parent: String? = nil) -> TargetAction {
        var values = ["name1": name, "status": "active"]
        values["parent_id"] = parent
        return TargetAction(kind: .upsert, canonicalKey: id, customerId: id, image: CustomerImage(values: values))
    }

    static let good = upsert("1", name: "A")
    /// Refers to a parent the target does not have: refused by the foreign key.
    static let orphan = upsert("2", name: "B", parent: "404")

    @Test("the rehearsal rolls back everything and names what the target refuses")
    func rehearsal() throws {
        let folder = try Paths.scratch()
        let target = try SQLiteTarget.initialize(
            path: folder + "/t.db", codes: try CodeLists.read(path: Paths.samples("target-codes.csv")))
        var badLimit = Self.upsert("5", name: "E")
        badLimit.image.values["credit_limit"] = "12,5"
        let refused = try target.rehearse(batchCount: 1, copyFolder: nil) { _ in [Self.good, Self.orphan, badLimit] }
        #expect(refused.map(\.canonicalKey) == ["2", "5"])
        #expect(refused.map(\.kind) == [.reference, .constraint], "\(refused)")
        #expect(refused.last?.field == "credit_limit", "the refused check names its field: \(refused)")
        #expect(try target.customerIds().isEmpty)
        #expect(try target.crosswalk().isEmpty)
    }

    @Test("the rehearsal on a scratch copy names the same refusals, sees earlier batches, leaves no copy behind")
    func rehearsalOnCopy() throws {
        let folder = try Paths.scratch()
        let path = folder + "/t.db"
        let target = try SQLiteTarget.initialize(
            path: path, codes: try CodeLists.read(path: Paths.samples("target-codes.csv")))
        // Batch 2 refers to a customer batch 1 inserted: the copy keeps committed batches.
        let child = Self.upsert("3", name: "C", parent: "1")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let scratch = folder + "/scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let batches: (Int) -> [TargetAction] = { $0 == 0 ? [Self.good, Self.orphan] : [child] }
        let onCopy = try target.rehearse(batchCount: 2, copyFolder: scratch, batch: batches)
        let inPlace = try target.rehearse(batchCount: 2, copyFolder: nil, batch: batches)
        #expect(onCopy.map(\.canonicalKey) == ["2"])
        #expect(
            onCopy.map { "\($0.canonicalKey) \($0.kind) \($0.message)" }
                == inPlace.map { "\($0.canonicalKey) \($0.kind) \($0.message)" })
        #expect(try target.customerIds().isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
    }
}
