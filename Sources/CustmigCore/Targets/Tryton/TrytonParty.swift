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
    static let partyFields = [
        "code", "name", "active", "lang", "customer_payment_term", "account_receivable", "addresses",
        "contact_mechanisms", "identifiers", "bank_accounts",
    ]

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
    static func read(codes: [String], client: JSONRPCClient) throws -> [String: TrytonParty] {
        var records: [TrytonRecord] = []
        for part in codes.chunked(TrytonRead.page) {
            let rows = try page(
                client, [["code", "in", Array(part)]], offset: 0, limit: NSNull(), order: NSNull(), fields: partyFields)
            records += rows.map { TrytonRecord(values: $0) }
        }
        return try assemble(records, client: client)
    }

    /// Every party's code, in byte order.
    static func allCodes(client: JSONRPCClient) throws -> [String] {
        var codes: [String] = []
        var offset = 0
        let page = 10_000
        while true {
            let rows = try Self.page(client, [], offset: offset, limit: page, order: [["id", "ASC"]], fields: ["code"])
            codes += rows.compactMap { $0["code"] as? String }
            if rows.count < page { break }
            offset += page
        }
        return codes.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Every party, page by page (the control totals).
    static func forEachPage(client: JSONRPCClient, _ body: ([String: TrytonParty]) throws -> Void) throws {
        var offset = 0
        while true {
            let rows = try page(
                client, [], offset: offset, limit: TrytonRead.page, order: [["id", "ASC"]], fields: partyFields)
            try body(try assemble(rows.map { TrytonRecord(values: $0) }, client: client))
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

    private static func assemble(_ records: [TrytonRecord], client: JSONRPCClient) throws -> [String: TrytonParty] {
        var parties: [String: TrytonParty] = [:]
        var bankOwner: [Int: [String]] = [:]
        for record in records {
            guard let id = record.id, let code = record.string("code") else { continue }
            var party = TrytonParty(id: id, code: code)
            party.raw["name"] = text(record.values["name"])
            party.raw["active"] = record.bool("active") == false ? "0" : "1"
            party.raw["lang"] = text(record.values["lang"])
            party.raw["payment_term"] = text(record.values["customer_payment_term"])
            party.raw["account"] = text(record.values["account_receivable"])
            party.addressIds = record.ints("addresses")
            party.mechanismIds = record.ints("contact_mechanisms")
            party.identifierIds = record.ints("identifiers")
            party.bankAccountIds = record.ints("bank_accounts")
            for child in party.bankAccountIds { bankOwner[child, default: []].append(code) }
            parties[code] = party
        }
        for (model, prefix, fields) in childModels {
            let owners = Dictionary(
                parties.values.flatMap { party in party[keyPath: childIds(prefix)].map { ($0, party.code) } },
                uniquingKeysWith: { first, _ in first })
            guard !owners.isEmpty else { continue }
            for record in try TrytonRead.read(client, model, Array(owners.keys), fields) {
                guard let id = record.id, let code = owners[id] else { continue }
                for field in fields { parties[code]?.raw["\(prefix).\(id).\(field)"] = text(record.values[field]) }
            }
        }
        try fillBankNumbers(&parties, owners: bankOwner, client: client)
        return parties
    }

    /// The child models and the fields custmig compares, with the prefix of their flattened keys.
    private static let childModels: [(model: String, prefix: String, fields: [String])] = [
        (
            "party.address", "address",
            ["street_name", "building_number", "postal_code", "city", "country", "subdivision", "post_box"]
        ),
        ("party.contact_mechanism", "mechanism", ["type", "value", "name"]),
        ("party.identifier", "identifier", ["type", "code"]),
    ]

    private static func childIds(_ prefix: String) -> WritableKeyPath<TrytonParty, [Int]> {
        switch prefix {
        case "address": return \.addressIds
        case "mechanism": return \.mechanismIds
        default: return \.identifierIds
        }
    }

    private static func fillBankNumbers(
        _ parties: inout [String: TrytonParty], owners: [Int: [String]], client: JSONRPCClient
    ) throws {
        guard !owners.isEmpty else { return }
        let numbers = try TrytonRead.searchRead(
            client, "bank.account.number", [["account", "in", Array(owners.keys)]], ["account", "type", "number"])
        for record in numbers {
            guard let id = record.id, let account = record.int("account") else { continue }
            for code in owners[account] ?? [] {
                parties[code]?.raw["bank.\(account).\(id).type"] = text(record.values["type"])
                parties[code]?.raw["bank.\(account).\(id).number"] = text(record.values["number"])
            }
        }
    }

    /// The party fields whose value depends on the company (Tryton's MultiValue fields).
    static let companyDependentFields = ["lang", "customer_payment_term", "account_receivable"]

    /// Parties custmig has just created, known at about a third of a full read's server time: the
    /// party's own fields are what the create call sent (Tryton's defaults where it sent none), the
    /// child records are searched by their party. Reading the party itself is what costs (Tryton
    /// computes its company-dependent fields one party at a time).
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
        let ids = Array(codeOf.keys)
        for (model, prefix, fields) in childModels {
            let records = try TrytonRead.searchRead(
                client, model, [["party", "in", ids]], fields + ["party"], context: ["active_test": false])
            for record in records {
                guard let id = record.id, let owner = record.int("party"), let code = codeOf[owner] else { continue }
                parties[code]?[keyPath: childIds(prefix)].append(id)
                for field in fields { parties[code]?.raw["\(prefix).\(id).\(field)"] = text(record.values[field]) }
            }
        }
        var bankOwner: [Int: [String]] = [:]
        for record in try TrytonRead.searchRead(client, "bank.account", [["owners", "in", ids]], ["owners"]) {
            guard let account = record.id else { continue }
            for owner in record.ints("owners") {
                guard let code = codeOf[owner] else { continue }
                parties[code]?.bankAccountIds.append(account)
                bankOwner[account, default: []].append(code)
            }
        }
        try fillBankNumbers(&parties, owners: bankOwner, client: client)
        return parties
    }
}
