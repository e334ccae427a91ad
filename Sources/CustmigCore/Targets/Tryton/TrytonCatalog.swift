import Foundation

/// What a Tryton database is configured with, read from it when the target opens: the records whose
/// ids many2one fields take (countries, subdivisions, languages, payment terms, receivable accounts)
/// and the company custmig writes company-dependent fields for. Also the target's code lists.
///
/// Sendable by hand only for `partyDefaults`, typed `Any` as JSONSerialization returns it: the catalog
/// is read once when the target opens and never changed after, and those values are immutable
/// strings, numbers, arrays and dictionaries, so readers on other threads share nothing mutable.
struct TrytonCatalog: @unchecked Sendable {
    /// Code <-> id in both directions.
    struct Codes {
        var ids: [String: Int] = [:]
        var codes: [Int: String] = [:]
        mutating func add(_ code: String, _ id: Int) {
            if ids[code] == nil { ids[code] = id }
            codes[id] = code
        }
    }

    var countries = Codes()
    /// `DE-BY` style ISO 3166-2 codes.
    var subdivisions = Codes()
    /// ir.lang codes (`de`, `en`, `zh_CN`).
    var languages = Codes()
    /// Payment terms by name (Tryton's payment terms have no code).
    var paymentTerms = Codes()
    /// The company's receivable accounts by account code.
    var receivableAccounts = Codes()
    /// The code of the company's party: the canonical company code whose reconciliation account
    /// custmig writes as the party's receivable account.
    var companyCode: String?
    var companyName = ""
    /// stdnum identifier types the server knows (`eu_vat`, `ch_vat`, …).
    var identifierTypes: Set<String> = []
    /// What Tryton fills in a new party's company-dependent fields when a create sends none
    /// (`party.party.default_get`): a party custmig created is known without reading it back.
    var partyDefaults: [String: Any] = [:]

    static func read(_ client: JSONRPCClient) throws -> TrytonCatalog {
        var catalog = TrytonCatalog()
        for row in try TrytonRead.searchRead(client, "country.country", [], ["code"]) {
            if let code = row.string("code"), let id = row.id { catalog.countries.add(code.uppercased(), id) }
        }
        for row in try TrytonRead.searchRead(client, "country.subdivision", [], ["code"]) {
            if let code = row.string("code"), let id = row.id { catalog.subdivisions.add(code.uppercased(), id) }
        }
        for row in try TrytonRead.searchRead(client, "ir.lang", [["active", "=", true]], ["code"]) {
            if let code = row.string("code"), let id = row.id { catalog.languages.add(code, id) }
        }
        for row in try TrytonRead.searchRead(client, "account.invoice.payment_term", [], ["name"]) {
            if let name = row.string("name"), let id = row.id { catalog.paymentTerms.add(name, id) }
        }
        let company = client.location.company
        for row in try TrytonRead.searchRead(
            client, "account.account", [["type.receivable", "=", true], ["company", "=", company]], ["code"])
        {
            if let code = row.string("code"), let id = row.id { catalog.receivableAccounts.add(code, id) }
        }
        let companies = try TrytonRead.searchRead(client, "company.company", [["id", "=", company]], ["party"])
        guard let party = companies.first?.int("party") else {
            throw CustmigError(
                .usage, code: "TARGET-COMPANY", "\(client.location.description) has no company with id \(company).",
                fix: "give the id of an existing company.company record in ?company= (custmig target check lists them)."
            )
        }
        let parties = try TrytonRead.read(client, "party.party", [party], ["code", "name"])
        catalog.companyCode = parties.first?.string("code")
        catalog.companyName = parties.first?.string("name") ?? ""
        // The type's selection is a method the client calls, as Tryton's own client does.
        if let selection = try client.call("party.identifier", "get_types", []) as? [[Any]] {
            catalog.identifierTypes = Set(selection.compactMap { $0.first as? String })
        }
        let defaults = try client.call("party.party", "default_get", [TrytonParties.companyDependentFields])
        catalog.partyDefaults = defaults as? [String: Any] ?? [:]
        return catalog
    }

    /// The target's code lists in custmig's kinds (what the dry run checks coded values against).
    var codeLists: CodeLists {
        var lists = CodeLists()
        func add(_ kind: String, _ codes: Codes) {
            for code in codes.ids.keys { lists.entries[kind, default: [:]][code] = .init(description: "", detail: "") }
        }
        add("country", countries)
        add("payment_terms", paymentTerms)
        add("reconciliation_account", receivableAccounts)
        if let companyCode {
            lists.entries["company_code", default: [:]][companyCode] = .init(description: companyName, detail: "")
        }
        for code in languages.ids.keys {
            for form in Set([code, code.uppercased(), code.lowercased(), TrytonMapping.canonicalLanguage(code)]) {
                lists.entries["language", default: [:]][form] = .init(description: code, detail: "")
            }
        }
        return lists
    }

    /// The ir.lang id for a canonical language (`DE`, `de`, `pt_BR`), or nil when Tryton has none active.
    func language(_ canonical: String) -> Int? {
        if let id = languages.ids[canonical] { return id }
        let lower = canonical.lowercased()
        if let id = languages.ids[lower] { return id }
        return languages.ids.first { $0.key.lowercased().hasPrefix(lower + "_") }?.value
    }
}

/// One record as `read`/`search_read` returns it.
struct TrytonRecord {
    var values: [String: Any]
    var id: Int? { (values["id"] as? NSNumber)?.intValue }
    func string(_ field: String) -> String? { values[field] as? String }
    func int(_ field: String) -> Int? { (values[field] as? NSNumber)?.intValue }
    func ints(_ field: String) -> [Int] { (values[field] as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? [] }
    /// Booleans come back as true/false (PostgreSQL) or 1/0 (SQLite).
    func bool(_ field: String) -> Bool? {
        if let value = values[field] as? Bool { return value }
        return (values[field] as? NSNumber).map { $0.intValue != 0 }
    }
}

/// Paged reads.
enum TrytonRead {
    static let page = 1_000

    static func searchRead(
        _ client: JSONRPCClient, _ model: String, _ domain: [Any], _ fields: [String], context: [String: Any] = [:]
    ) throws -> [TrytonRecord] {
        var records: [TrytonRecord] = []
        var offset = 0
        while true {
            let result = try client.call(
                model, "search_read", [domain, offset, page, [["id", "ASC"]], fields], context: context)
            guard let rows = result as? [[String: Any]] else {
                throw TrytonError.protocolViolation(
                    "\(model).search_read answered \(String(describing: result).prefix(200))")
            }
            records += rows.map { TrytonRecord(values: $0) }
            if rows.count < page { return records }
            offset += page
        }
    }

    static func read(
        _ client: JSONRPCClient, _ model: String, _ ids: [Int], _ fields: [String]
    ) throws -> [TrytonRecord] {
        var records: [TrytonRecord] = []
        for part in ids.chunked(page) {
            let result = try client.call(model, "read", [Array(part), fields])
            guard let rows = result as? [[String: Any]] else {
                throw TrytonError.protocolViolation("\(model).read answered \(String(describing: result).prefix(200))")
            }
            records += rows.map { TrytonRecord(values: $0) }
        }
        return records
    }
}
