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
        case let value as NSNumber: return value.stringValue
        default: return nil
        }
    }

    private static func assemble(_ records: [TrytonRecord], client: JSONRPCClient) throws -> [String: TrytonParty] {
        var parties: [String: TrytonParty] = [:]
        var addressOwner: [Int: String] = [:]
        var mechanismOwner: [Int: String] = [:]
        var identifierOwner: [Int: String] = [:]
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
            for child in party.addressIds { addressOwner[child] = code }
            for child in party.mechanismIds { mechanismOwner[child] = code }
            for child in party.identifierIds { identifierOwner[child] = code }
            for child in party.bankAccountIds { bankOwner[child, default: []].append(code) }
            parties[code] = party
        }
        func fill(_ model: String, _ owners: [Int: String], _ prefix: String, _ fields: [String]) throws {
            guard !owners.isEmpty else { return }
            for record in try TrytonRead.read(client, model, Array(owners.keys), fields) {
                guard let id = record.id, let code = owners[id] else { continue }
                for field in fields { parties[code]?.raw["\(prefix).\(id).\(field)"] = text(record.values[field]) }
            }
        }
        try fill(
            "party.address", addressOwner, "address",
            ["street_name", "building_number", "postal_code", "city", "country", "subdivision", "post_box"])
        try fill("party.contact_mechanism", mechanismOwner, "mechanism", ["type", "value", "name"])
        try fill("party.identifier", identifierOwner, "identifier", ["type", "code"])
        if !bankOwner.isEmpty {
            let numbers = try TrytonRead.searchRead(
                client, "bank.account.number", [["account", "in", Array(bankOwner.keys)]],
                ["account", "type", "number"])
            for record in numbers {
                guard let id = record.id, let account = record.int("account") else { continue }
                for code in bankOwner[account] ?? [] {
                    parties[code]?.raw["bank.\(account).\(id).type"] = text(record.values["type"])
                    parties[code]?.raw["bank.\(account).\(id).number"] = text(record.values["number"])
                }
            }
        }
        return parties
    }
}
