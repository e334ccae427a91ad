import Crypto
import Foundation

/// A party as Tryton holds it, flattened (`name`, `address.12.city`, `bank.3.7.number`): what custmig
/// compares with its own record of the party to tell an untouched party from an edited one.
struct TrytonParty {
    var id: Int
    var code: String
    var raw: [String: String] = [:]
    var addressIds: [Int] = []
    var mechanismIds: [Int] = []
    var identifierIds: [Int] = []
    var bankAccountIds: [Int] = []

    /// SHA-256 over the flattened values in key order.
    var rawHash: String {
        var hasher = SHA256()
        for key in raw.keys.sorted() { hasher.update(data: Data("\(key)\u{1}\(raw[key]!)\u{0}".utf8)) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The same values and the same child records (the order Tryton lists them in aside).
    func sameContent(as other: TrytonParty) -> Bool {
        id == other.id && raw == other.raw && addressIds.sorted() == other.addressIds.sorted()
            && mechanismIds.sorted() == other.mechanismIds.sorted()
            && identifierIds.sorted() == other.identifierIds.sorted()
            && bankAccountIds.sorted() == other.bankAccountIds.sorted()
    }

    /// The child records in creation order, named as ``TrytonMapping/ChildOrder`` names them.
    var childKeys: [String: [String]] {
        [
            "address": addressIds.sorted().map { "address.\($0)" },
            "contact": mechanismIds.sorted().map { "mechanism.\($0)" },
            "identifier": identifierIds.sorted().map { "identifier.\($0)" },
            "bank": bankAccountIds.sorted().map { "bank.\($0)" },
        ]
    }

    /// Tryton child record -> canonical row, for a party custmig just wrote with `order`.
    func rowIds(order: TrytonMapping.ChildOrder) -> [String: String] {
        var result: [String: String] = [:]
        let keys = childKeys
        var position: [String: Int] = [:]
        for (relation, row) in order {
            let index = position[relation, default: 0]
            position[relation] = index + 1
            if let records = keys[relation], index < records.count { result[records[index]] = row }
        }
        return result
    }
}

/// Reading parties and their child records in pages.
enum TrytonParties {
    /// The party's own fields a page reads, besides the company-dependent ones (``TrytonCompanyValues``)
    /// and the children (``childFields``).
    static let ownFields = ["code", "name", "active"]

    /// One page of `party.party.search_read`, inactive parties included.
    private static func page(
        _ client: JSONRPCClient, _ domain: [Any], offset: Int, limit: Any, order: Any, fields: [String]
    ) throws -> [[String: Any]] {
        let result = try client.call(
            "party.party", "search_read", [domain, offset, limit, order, fields], context: ["active_test": false])
        guard let rows = result as? [[String: Any]] else {
            throw TrytonError.protocolViolation(
                "party.party.search_read answered \(String(describing: result).prefix(200))")
        }
        return rows
    }

    /// The parties with these codes (inactive ones included).
    static func read(
        codes: [String], client: JSONRPCClient, values: TrytonCompanyValues
    ) throws -> [String: TrytonParty] {
        var records: [TrytonRecord] = []
        for part in codes.chunked(TrytonRead.page) {
            let rows = try page(
                client, [["code", "in", Array(part)]], offset: 0, limit: NSNull(), order: NSNull(),
                fields: ownFields + values.partyFields + childFields)
            records += rows.map { TrytonRecord(values: $0) }
        }
        return try assemble(records, client: client, values: values)
    }

    /// Every party's code, in byte order. In pages of 1,000: trytond's search slows down more than
    /// linearly with the page (6,900 codes: 2.0 s in one page of 10,000, 0.5 s in pages of 1,000).
    static func allCodes(client: JSONRPCClient) throws -> [String] {
        var codes: [String] = []
        var offset = 0
        let page = TrytonRead.page
        while true {
            let rows = try Self.page(client, [], offset: offset, limit: page, order: [["id", "ASC"]], fields: ["code"])
            codes += rows.compactMap { $0["code"] as? String }
            if rows.count < page { break }
            offset += page
        }
        return codes.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Every party, page by page (the control totals).
    static func forEachPage(
        client: JSONRPCClient, values: TrytonCompanyValues, _ body: ([String: TrytonParty]) throws -> Void
    ) throws {
        var offset = 0
        while true {
            let rows = try page(
                client, [], offset: offset, limit: TrytonRead.page, order: [["id", "ASC"]],
                fields: ownFields + values.partyFields + childFields)
            try body(try assemble(rows.map { TrytonRecord(values: $0) }, client: client, values: values))
            if rows.count < TrytonRead.page { return }
            offset += TrytonRead.page
        }
    }

    private static func text(_ value: Any?) -> String? {
        switch value {
        case nil, is NSNull: return nil
        case let value as String: return value.isEmpty ? nil : value
        case let value as Bool: return value ? "1" : "0"
        case let value as Int: return String(value)
        case let value as NSNumber: return value.stringValue
        default: return nil
        }
    }

    private static func assemble(
        _ records: [TrytonRecord], client: JSONRPCClient, values: TrytonCompanyValues
    ) throws -> [String: TrytonParty] {
        var parties: [String: TrytonParty] = [:]
        let asTrytonAnswers = try values.check(records, client: client)
        for record in records {
            guard let id = record.id, let code = record.string("code") else { continue }
            var party = TrytonParty(id: id, code: code)
            party.raw["name"] = text(record.values["name"])
            party.raw["active"] = record.bool("active") == false ? "0" : "1"
            for (key, value) in asTrytonAnswers?[id] ?? values.values(of: record) { party.raw[key] = text(value) }
            fillChildren(&party, from: record)
            parties[code] = party
        }
        return parties
    }

    /// The child records and the fields custmig compares, read with the party (`addresses.city`):
    /// one call instead of one per model, at about half the server time.
    static let childFields: [String] =
        childModels.flatMap { relation, _, fields in fields.map { "\(relation).\($0)" } }
        + ["bank_accounts.numbers.type", "bank_accounts.numbers.number"]

    /// The party's one2many fields, the prefix of their flattened keys and the fields custmig compares.
    private static let childModels: [(relation: String, prefix: String, fields: [String])] = [
        (
            "addresses", "address",
            ["street_name", "building_number", "postal_code", "city", "country", "subdivision", "post_box"]
        ),
        ("contact_mechanisms", "mechanism", ["type", "value", "name"]),
        ("identifiers", "identifier", ["type", "code"]),
    ]

    private static func childIds(_ prefix: String) -> WritableKeyPath<TrytonParty, [Int]> {
        switch prefix {
        case "address": return \.addressIds
        case "mechanism": return \.mechanismIds
        default: return \.identifierIds
        }
    }

    /// Children from a record read with ``childFields``.
    private static func fillChildren(_ party: inout TrytonParty, from record: TrytonRecord) {
        for (relation, prefix, fields) in childModels {
            for child in record.values["\(relation)."] as? [[String: Any]] ?? [] {
                guard let id = (child["id"] as? NSNumber)?.intValue else { continue }
                party[keyPath: childIds(prefix)].append(id)
                for field in fields { party.raw["\(prefix).\(id).\(field)"] = text(child[field]) }
            }
        }
        for account in record.values["bank_accounts."] as? [[String: Any]] ?? [] {
            guard let id = (account["id"] as? NSNumber)?.intValue else { continue }
            party.bankAccountIds.append(id)
            for number in account["numbers."] as? [[String: Any]] ?? [] {
                guard let numberId = (number["id"] as? NSNumber)?.intValue else { continue }
                party.raw["bank.\(id).\(numberId).type"] = text(number["type"])
                party.raw["bank.\(id).\(numberId).number"] = text(number["number"])
            }
        }
    }

    /// The party fields whose value depends on the company (Tryton's MultiValue fields).
    static let companyDependentFields = ["lang", "customer_payment_term", "account_receivable"]

    /// Parties custmig has just created, known at a fraction of a full read's server time: the party's
    /// own fields are what the create call sent (Tryton's defaults where it sent none), the child
    /// records are read with the party (``childFields``).
    static func created(
        _ sent: [(code: String, id: Int, values: [String: Any])], defaults: [String: Any], client: JSONRPCClient
    ) throws -> [String: TrytonParty] {
        var parties: [String: TrytonParty] = [:]
        var codeOf: [Int: String] = [:]
        for (code, id, values) in sent {
            var party = TrytonParty(id: id, code: code)
            party.raw["name"] = text(values["name"])
            party.raw["active"] = values["active"] as? Bool == false ? "0" : "1"
            party.raw["lang"] = text(values["lang"] ?? defaults["lang"])
            party.raw["payment_term"] = text(values["customer_payment_term"] ?? defaults["customer_payment_term"])
            party.raw["account"] = text(values["account_receivable"] ?? defaults["account_receivable"])
            parties[code] = party
            codeOf[id] = code
        }
        guard !codeOf.isEmpty else { return parties }
        for part in Array(codeOf.keys).sorted().chunked(TrytonRead.page) {
            let result = try client.call(
                "party.party", "read", [Array(part), childFields], context: ["active_test": false])
            guard let rows = result as? [[String: Any]] else {
                throw TrytonError.protocolViolation(
                    "party.party.read answered \(String(describing: result).prefix(200))")
            }
            for record in rows.map(TrytonRecord.init) {
                guard let id = record.id, let code = codeOf[id] else { continue }
                fillChildren(&parties[code]!, from: record)
            }
        }
        return parties
    }
}
