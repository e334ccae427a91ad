import Foundation

/// How a canonical customer becomes a Tryton party and back. The README's "Tryton" section lists the
/// same table for people; what has no place in Tryton is left out of the plan and listed per field
/// as not loaded (``holdable(_:catalog:)``), never dropped silently.
///
/// | canonical | Tryton |
/// |---|---|
/// | customer id (the plan's number) | `party.code` |
/// | name1 | `name` |
/// | status | `active` (blocked and inactive: false) |
/// | language | `lang` (ir.lang by code) |
/// | payment_terms | `customer_payment_term` (payment term by name) |
/// | company_code[C].reconciliation_account (C = the company's party code) | `account_receivable` (by account code) |
/// | address rows: street, house_number, postal_code, city, region, country, po_box | `addresses`: street_name, building_number, postal_code, city, subdivision, country, post_box |
/// | contact rows: phone, email (first and last name as the mechanism's name) | `contact_mechanisms` |
/// | vat_id, tax_number_1, tax_number_2 | `identifiers` (`eu_vat` or `CC_vat` where Tryton knows the type, else untyped) |
/// | bank account rows: iban, account_number | `bank_accounts` with `numbers` (iban, other) |
enum TrytonMapping {
    static let customerFields: Set<String> = ["external_id", "name1", "status", "language", "payment_terms"]
    static let addressFields: Set<String> = [
        "address_id", "kind", "street", "house_number", "postal_code", "city", "region", "country", "po_box",
    ]
    static let contactFields: Set<String> = ["contact_id", "first_name", "last_name", "phone", "email"]
    static let bankFields: Set<String> = ["bank_account_id", "iban", "account_number"]
    static let identifierFields = ["vat_id", "tax_number_1", "tax_number_2"]
    /// EU member states' VAT prefixes (Greece writes EL).
    static let euVATPrefixes: Set<String> = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU",
        "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
    ]

    // MARK: What Tryton holds

    /// The part of `image` Tryton has a place for, and the paths it has none for.
    static func holdable(_ image: CustomerImage, catalog: TrytonCatalog) -> (image: CustomerImage, notLoaded: [String])
    {
        var kept: [String: String] = [:]
        var dropped: [String] = []
        let rows = image.rows
        let contactsWithMechanism = Set(
            (rows.children["contact"] ?? [:]).filter { $0.value["phone"] != nil || $0.value["email"] != nil }.keys)
        for (path, value) in image.values {
            let part = CustomerImage.split(path)
            let keep: Bool
            switch part.table {
            case "customer":
                keep = customerFields.contains(part.column) || identifierFields.contains(part.column)
            case "address":
                keep =
                    addressFields.contains(part.column)
                    && (part.column != "region"
                        || subdivision(value, country: rows.children["address"]?[part.row]?["country"], catalog) != nil)
            case "contact": keep = contactFields.contains(part.column) && contactsWithMechanism.contains(part.row)
            case "bank_account": keep = bankFields.contains(part.column)
            case "company_code":
                keep =
                    part.row == catalog.companyCode
                    && (part.column == "company_code" || part.column == "reconciliation_account")
            default: keep = false
            }
            if keep { kept[path] = value } else { dropped.append(path) }
        }
        return (CustomerImage(values: kept), dropped)
    }

    static func subdivision(_ region: String, country: String?, _ catalog: TrytonCatalog) -> Int? {
        let upper = region.uppercased()
        if let id = catalog.subdivisions.ids[upper] { return id }
        guard let country else { return nil }
        return catalog.subdivisions.ids[country.uppercased() + "-" + upper]
    }

    static func canonicalLanguage(_ code: String) -> String { code.count == 2 ? code.uppercased() : code }

    // MARK: Canonical -> Tryton

    /// A value Tryton has no record for (a country, a language, a payment term, an account).
    struct Unresolvable: Error {
        var field: String
        var message: String
    }

    /// The row ids, per relation, in the order their records are created (`address`, `contact/phone`…).
    typealias ChildOrder = [(relation: String, row: String)]

    /// The values of `party.party.create` (or, with `replacing`, of `write`) for a customer's rows.
    static func partyValues(
        _ rows: CustomerRows, code: String, catalog: TrytonCatalog, replacing current: TrytonParty? = nil
    ) throws(Unresolvable) -> (values: [String: Any], order: ChildOrder) {
        let customer = rows.customer
        var values: [String: Any] = [
            "code": code, "name": customer["name1"] ?? code, "active": (customer["status"] ?? "active") == "active",
        ]
        var order: ChildOrder = []
        if let language = customer["language"] {
            guard let id = catalog.language(language) else {
                throw Unresolvable(field: "language", message: "language \"\(language)\" is not active in Tryton")
            }
            values["lang"] = id
        } else if current != nil {
            values["lang"] = NSNull()
        }
        if let term = customer["payment_terms"] {
            guard let id = catalog.paymentTerms.ids[term] else {
                throw Unresolvable(field: "payment_terms", message: "payment term \"\(term)\" does not exist in Tryton")
            }
            values["customer_payment_term"] = id
        } else if current != nil {
            values["customer_payment_term"] = NSNull()
        }
        if let companyCode = catalog.companyCode,
            let account = rows.children["company_code"]?[companyCode]?["reconciliation_account"]
        {
            guard let id = catalog.receivableAccounts.ids[account] else {
                throw Unresolvable(
                    field: "reconciliation_account",
                    message: "receivable account \"\(account)\" does not exist in company \(companyCode)")
            }
            values["account_receivable"] = id
        } else if current != nil {
            values["account_receivable"] = NSNull()
        }
        func sorted(_ table: String) -> [(String, [String: String])] {
            (rows.children[table] ?? [:]).sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        }
        var addresses: [[String: Any]] = []
        for (rowId, row) in sorted("address") {
            var address: [String: Any] = [:]
            for (column, field) in [
                ("street", "street_name"), ("house_number", "building_number"), ("postal_code", "postal_code"),
                ("city", "city"), ("po_box", "post_box"),
            ] {
                if let value = row[column] { address[field] = value }
            }
            if let country = row["country"] {
                guard let id = catalog.countries.ids[country.uppercased()] else {
                    throw Unresolvable(field: "country", message: "country \"\(country)\" does not exist in Tryton")
                }
                address["country"] = id
            }
            if let region = row["region"], let id = subdivision(region, country: row["country"], catalog) {
                address["subdivision"] = id
            }
            address["sequence"] = addresses.count + 1
            addresses.append(address)
            order.append(("address", rowId))
        }
        var mechanisms: [[String: Any]] = []
        for (rowId, row) in sorted("contact") {
            let name = [row["first_name"], row["last_name"]].compactMap { $0 }.joined(separator: " ")
            for (column, type) in [("phone", "phone"), ("email", "email")] {
                guard let value = row[column] else { continue }
                var mechanism: [String: Any] = ["type": type, "value": value, "sequence": mechanisms.count + 1]
                if !name.isEmpty { mechanism["name"] = name }
                mechanisms.append(mechanism)
                order.append(("contact", rowId + "/" + column))
            }
        }
        var identifiers: [[String: Any]] = []
        for field in identifierFields {
            guard let code = customer[field] else { continue }
            var identifier: [String: Any] = ["code": code]
            if field == "vat_id", let type = vatType(code, catalog: catalog) {
                identifier["type"] = type
                identifier["code"] = trytonVAT(code, type: type)
            }
            identifiers.append(identifier)
            order.append(("identifier", field))
        }
        var accounts: [[String: Any]] = []
        for (rowId, row) in sorted("bank_account") {
            var numbers: [[String: Any]] = []
            if let iban = row["iban"] { numbers.append(["type": "iban", "number": iban]) }
            if let number = row["account_number"] { numbers.append(["type": "other", "number": number]) }
            guard !numbers.isEmpty else { continue }
            accounts.append(["numbers": [["create", numbers]]])
            order.append(("bank", rowId))
        }
        func relation(_ records: [[String: Any]], old: [Int]) -> [[Any]] {
            var actions: [[Any]] = []
            if !old.isEmpty { actions.append(["delete", old]) }
            actions.append(["create", records])
            return actions
        }
        values["addresses"] = relation(addresses, old: current?.addressIds ?? [])
        values["contact_mechanisms"] = relation(mechanisms, old: current?.mechanismIds ?? [])
        values["identifiers"] = relation(identifiers, old: current?.identifierIds ?? [])
        values["bank_accounts"] = relation(accounts, old: current?.bankAccountIds ?? [])
        return (values, order)
    }

    /// Why Tryton will refuse the party, where custmig knows Tryton's rule: a typed VAT id is checked by
    /// python-stdnum, whose check digits ``VATCheckDigits`` computes the same way (IBAN layouts are checked
    /// when mapped, for every target; unique IBANs by ``TrytonIBANClaims``). Phones (phonenumbers'
    /// numbering plans per number range) are not predicted: the cutover isolates them.
    static func predictedRefusal(_ image: CustomerImage, catalog: TrytonCatalog) -> String? {
        guard let vat = image.values["vat_id"], let type = vatType(vat, catalog: catalog) else { return nil }
        guard case .invalid(let reason) = VATCheckDigits.check(canonicalVAT(vat, type: nil)) else { return nil }
        return "Tryton will refuse it: vat_id \(reason) (identifier type \(type)) — correct the VAT id in the "
            + "extract or clear it"
    }

    /// Tryton's identifier type for a VAT id: `eu_vat` in the EU (and XI), else the country's own type
    /// where Tryton has one (`gb_vat`, `ch_vat`, `no_mva`…); untyped otherwise.
    static func vatType(_ code: String, catalog: TrytonCatalog) -> String? {
        let prefix = String(code.prefix(2)).uppercased()
        if euVATPrefixes.contains(prefix), catalog.identifierTypes.contains("eu_vat") { return "eu_vat" }
        let type = prefix.lowercased() + (prefix == "NO" ? "_mva" : "_vat")
        return catalog.identifierTypes.contains(type) ? type : nil
    }

    /// The code Tryton's type validates: a Swiss VAT number carries its `MWST` suffix (custmig's
    /// canonical form drops it).
    static func trytonVAT(_ code: String, type: String) -> String {
        type == "ch_vat" && !["MWST", "TVA", "IVA", "TPV"].contains(where: code.hasSuffix) ? code + "MWST" : code
    }

    /// The canonical form of a VAT id as Tryton stores it (formatted by its type: `CHE-116.281.710 MWST`,
    /// `980 7806 84`): compact, the Swiss suffix dropped, the country prefix restored.
    static func canonicalVAT(_ code: String, type: String?) -> String {
        var compact = VATNormalizer.compacted(code)
        if compact.hasPrefix("CHE") {
            for suffix in ["MWST", "TVA", "IVA", "TPV"] where compact.hasSuffix(suffix) {
                compact.removeLast(suffix.count)
            }
        }
        if let type, type != "eu_vat", type.count > 2 {
            let country = String(type.prefix(2)).uppercased()
            if !compact.hasPrefix(country) { compact = country + compact }
        }
        return compact
    }

    // MARK: Tryton -> canonical

    /// The rows a party stands for when custmig's record of it does not match (edited or made in
    /// Tryton): `rowIds` maps child records custmig made to their canonical rows; others are named
    /// `tryton-ID`.
    static func rows(
        of party: TrytonParty, catalog: TrytonCatalog, rowIds: [String: String], key: String?
    ) -> CustomerRows {
        var rows = CustomerRows()
        let raw = party.raw
        var customer: [String: String] = [:]
        customer["external_id"] = key
        customer["name1"] = raw["name"]
        customer["status"] = raw["active"] == "0" ? "inactive" : "active"
        if let lang = raw["lang"].flatMap(Int.init), let code = catalog.languages.codes[lang] {
            customer["language"] = canonicalLanguage(code)
        }
        if let term = raw["payment_term"].flatMap(Int.init) {
            customer["payment_terms"] = catalog.paymentTerms.codes[term]
        }
        if let account = raw["account"].flatMap(Int.init), let code = catalog.receivableAccounts.codes[account],
            let companyCode = catalog.companyCode
        {
            rows.children["company_code"] = [
                companyCode: ["company_code": companyCode, "reconciliation_account": code]
            ]
        }
        for id in party.addressIds {
            let prefix = "address.\(id)."
            let rowId = rowIds["address.\(id)"] ?? "tryton-\(id)"
            var row: [String: String] = ["address_id": rowId]
            if let dash = rowId.lastIndex(of: "-"), rowIds["address.\(id)"] != nil {
                row["kind"] = String(rowId[..<dash])
            }
            row["street"] = raw[prefix + "street_name"]
            row["house_number"] = raw[prefix + "building_number"]
            row["postal_code"] = raw[prefix + "postal_code"]
            row["city"] = raw[prefix + "city"]
            row["po_box"] = raw[prefix + "post_box"]
            if let country = raw[prefix + "country"].flatMap(Int.init) {
                row["country"] = catalog.countries.codes[country]
            }
            if let subdivision = raw[prefix + "subdivision"].flatMap(Int.init),
                let code = catalog.subdivisions.codes[subdivision]
            {
                let country = row["country"] ?? ""
                row["region"] = code.hasPrefix(country + "-") ? String(code.dropFirst(country.count + 1)) : code
            }
            rows.children["address", default: [:]][rowId] = row
        }
        var contactOf: [String: String] = [:]
        for id in party.mechanismIds {
            let prefix = "mechanism.\(id)."
            let type = raw[prefix + "type"] ?? ""
            let column: String
            switch type {
            case "phone", "mobile": column = "phone"
            case "email": column = "email"
            default: continue
            }
            let name = raw[prefix + "name"] ?? ""
            let rowId: String
            if let mapped = rowIds["mechanism.\(id)"], let slash = mapped.lastIndex(of: "/") {
                rowId = String(mapped[..<slash])
            } else {
                rowId = contactOf[name] ?? "tryton-\(id)"
            }
            contactOf[name] = contactOf[name] ?? rowId
            var row = rows.children["contact"]?[rowId] ?? ["contact_id": rowId]
            if row[column] != nil { continue }
            row[column] = raw[prefix + "value"]
            if !name.isEmpty {
                if let space = name.lastIndex(of: " ") {
                    row["first_name"] = String(name[..<space])
                    row["last_name"] = String(name[name.index(after: space)...])
                } else {
                    row["last_name"] = name
                }
            }
            rows.children["contact", default: [:]][rowId] = row
        }
        var freeIdentifiers = ["tax_number_1", "tax_number_2"]
        for id in party.identifierIds {
            let prefix = "identifier.\(id)."
            guard let code = raw[prefix + "code"] else { continue }
            var field = rowIds["identifier.\(id)"]
            if field == nil, let type = raw[prefix + "type"], type.hasSuffix("_vat"), customer["vat_id"] == nil {
                field = "vat_id"
            }
            if field == nil, !freeIdentifiers.isEmpty { field = freeIdentifiers.removeFirst() }
            if let field, customer[field] == nil {
                customer[field] = field == "vat_id" ? canonicalVAT(code, type: raw[prefix + "type"]) : code
                freeIdentifiers.removeAll { $0 == field }
            }
        }
        for id in party.bankAccountIds {
            let rowId = rowIds["bank.\(id)"] ?? "tryton-\(id)"
            var row: [String: String] = ["bank_account_id": rowId]
            for (key, value) in raw where key.hasPrefix("bank.\(id).") && key.hasSuffix(".number") {
                let typeKey = String(key.dropLast(".number".count)) + ".type"
                let compact = value.filter { !$0.isWhitespace }.uppercased()
                if raw[typeKey] == "iban" { row["iban"] = compact } else { row["account_number"] = value }
            }
            rows.children["bank_account", default: [:]][rowId] = row
        }
        rows.customer = customer.filter { !$0.value.isEmpty }
        return rows
    }
}
