import Foundation

/// Reading a canonical record back from the ledger. `JSONDecoder` took ~25 µs a record, a seventh of a
/// first load's dry run, and a plan that refers to its records (instead of copying their images) reads
/// them again at the cutover; this reader walks the stored text once into the model. It accepts what
/// `JSONDecoder` accepts for the `Codable` conformance — the same required keys, unknown keys ignored —
/// and hands anything else (a number where a string belongs, an unknown status) to `JSONDecoder`, so
/// both give the same customer or the same refusal.
extension CanonicalCustomer {
    /// The customer a stored record's JSON holds, or nil when it holds none.
    static func decode(json: String) -> CanonicalCustomer? {
        var text = json
        if let customer = text.withUTF8({ bytes -> CanonicalCustomer? in
            var reader = JSONReader(bytes)
            guard let customer = read(&reader), reader.atEnd else { return nil }
            return customer
        }) {
            return customer
        }
        return try? JSONDecoder().decode(CanonicalCustomer.self, from: Data(json.utf8))
    }

    /// Only what matching reads (key, names and their parts, birth date, identifiers, addresses,
    /// contacts; only the key required), the rest skipped: the duplicates stage reads a million records
    /// for a dozen fields, and building their sales areas, company codes and bank accounts took a third
    /// of that. Nil when even those do not read.
    static func decodeForMatching(json: String) -> CanonicalCustomer? {
        var text = json
        return text.withUTF8 { bytes -> CanonicalCustomer? in
            var reader = JSONReader(bytes)
            guard let customer = read(&reader, matchingOnly: true), reader.atEnd else { return nil }
            return customer
        }
    }

    private static func read(_ reader: inout JSONReader, matchingOnly: Bool = false) -> CanonicalCustomer? {
        var customer = CanonicalCustomer(key: "", legacyKey: "")
        // The keys the synthesized conformance requires (non-optional properties), one bit each.
        var required: RequiredMembers = []
        let read = reader.object { reader, key in
            if matchingOnly && !readForMatching(key) { return reader.skipValue() }
            switch key {
            case "key":
                guard let value = reader.string() else { return false }
                customer.key = value
                required.insert(.key)
            case "legacyKey":
                guard let value = reader.string() else { return false }
                customer.legacyKey = value
                required.insert(.legacyKey)
            case "names":
                guard let value = reader.strings() else { return false }
                customer.names = value
                required.insert(.names)
            case "status":
                guard let value = reader.string().flatMap(CustomerStatus.init(rawValue:)) else { return false }
                customer.status = value
                required.insert(.status)
            case "blocks":
                guard let value = reader.stringDictionary() else { return false }
                customer.blocks = value
                required.insert(.blocks)
            case "taxNumbers":
                guard let value = reader.stringDictionary() else { return false }
                customer.taxNumbers = value
                required.insert(.taxNumbers)
            case "category":
                guard let value = reader.optionalString() else { return false }
                guard let text = value else { return true }
                guard let category = CustomerCategory(rawValue: text) else { return false }
                customer.category = category
                return true
            case "title": return optional(&reader, &customer.title)
            case "firstName": return optional(&reader, &customer.firstName)
            case "lastName": return optional(&reader, &customer.lastName)
            case "birthDate": return optional(&reader, &customer.birthDate)
            case "identifiers":
                guard let value = list(&reader, Identifier.read) else { return false }
                customer.identifiers = value
                return true
            case "searchTerm": return optional(&reader, &customer.searchTerm)
            case "accountGroup": return optional(&reader, &customer.accountGroup)
            case "vatId": return optional(&reader, &customer.vatId)
            case "language": return optional(&reader, &customer.language)
            case "currency": return optional(&reader, &customer.currency)
            case "industry": return optional(&reader, &customer.industry)
            case "parentKey": return optional(&reader, &customer.parentKey)
            case "paymentTerms": return optional(&reader, &customer.paymentTerms)
            case "creditLimit": return optional(&reader, &customer.creditLimit)
            case "createdOn": return optional(&reader, &customer.createdOn)
            case "addresses":
                guard let value = list(&reader, Address.read) else { return false }
                customer.addresses = value
                required.insert(.addresses)
            case "contacts":
                guard let value = list(&reader, Contact.read) else { return false }
                customer.contacts = value
                required.insert(.contacts)
            case "salesAreas":
                guard let value = list(&reader, SalesArea.read) else { return false }
                customer.salesAreas = value
                required.insert(.salesAreas)
            case "companyCodes":
                guard let value = list(&reader, CompanyCode.read) else { return false }
                customer.companyCodes = value
                required.insert(.companyCodes)
            case "bankAccounts":
                guard let value = list(&reader, BankAccount.read) else { return false }
                customer.bankAccounts = value
                required.insert(.bankAccounts)
            default: return reader.skipValue()
            }
            return true
        }
        return read && required.isSuperset(of: matchingOnly ? .key : .all) ? customer : nil
    }
}

/// The members `CanonicalCustomer`'s synthesized `Decodable` conformance requires.
private struct RequiredMembers: OptionSet {
    let rawValue: UInt16
    static let key = Self(rawValue: 1 << 0)
    static let legacyKey = Self(rawValue: 1 << 1)
    static let names = Self(rawValue: 1 << 2)
    static let status = Self(rawValue: 1 << 3)
    static let blocks = Self(rawValue: 1 << 4)
    static let taxNumbers = Self(rawValue: 1 << 5)
    static let addresses = Self(rawValue: 1 << 6)
    static let contacts = Self(rawValue: 1 << 7)
    static let salesAreas = Self(rawValue: 1 << 8)
    static let companyCodes = Self(rawValue: 1 << 9)
    static let bankAccounts = Self(rawValue: 1 << 10)
    static let all = Self(rawValue: (1 << 11) - 1)
}

/// Whether matching reads a customer's member (``CustomerMatcher/Profile``).
private func readForMatching(_ key: JSONReader.Key) -> Bool {
    switch key {
    case "key", "names", "category", "firstName", "lastName", "birthDate", "vatId", "taxNumbers", "identifiers",
        "addresses", "contacts":
        return true
    default: return false
    }
}

/// An optional string member: a string, or null.
private func optional(_ reader: inout JSONReader, _ field: inout String?) -> Bool {
    guard let value = reader.optionalString() else { return false }
    field = value
    return true
}

/// An array of objects, each read by `element`.
private func list<Element>(_ reader: inout JSONReader, _ element: (inout JSONReader) -> Element?) -> [Element]? {
    var values: [Element] = []
    let read = reader.array { reader in
        guard let value = element(&reader) else { return false }
        values.append(value)
        return true
    }
    return read ? values : nil
}

extension Address {
    fileprivate static func read(_ reader: inout JSONReader) -> Address? {
        var address = Address()
        var hasKind = false
        let read = reader.object { reader, key in
            switch key {
            case "kind":
                guard let value = reader.string().flatMap(Kind.init(rawValue:)) else { return false }
                address.kind = value
                hasKind = true
                return true
            case "street": return optional(&reader, &address.street)
            case "houseNumber": return optional(&reader, &address.houseNumber)
            case "postalCode": return optional(&reader, &address.postalCode)
            case "city": return optional(&reader, &address.city)
            case "region": return optional(&reader, &address.region)
            case "country": return optional(&reader, &address.country)
            case "poBox": return optional(&reader, &address.poBox)
            default: return reader.skipValue()
            }
        }
        return read && hasKind ? address : nil
    }
}

extension Contact {
    fileprivate static func read(_ reader: inout JSONReader) -> Contact? {
        var contact = Contact()
        let read = reader.object { reader, key in
            switch key {
            case "id": return optional(&reader, &contact.id)
            case "firstName": return optional(&reader, &contact.firstName)
            case "lastName": return optional(&reader, &contact.lastName)
            case "phone": return optional(&reader, &contact.phone)
            case "email": return optional(&reader, &contact.email)
            case "department": return optional(&reader, &contact.department)
            case "function": return optional(&reader, &contact.function)
            default: return reader.skipValue()
            }
        }
        return read ? contact : nil
    }
}

extension SalesArea {
    fileprivate static func read(_ reader: inout JSONReader) -> SalesArea? {
        var area = SalesArea(salesOrganization: "", distributionChannel: "", division: "")
        var required = 0
        let read = reader.object { reader, key in
            switch key {
            case "salesOrganization":
                guard let value = reader.string() else { return false }
                area.salesOrganization = value
                required |= 1
            case "distributionChannel":
                guard let value = reader.string() else { return false }
                area.distributionChannel = value
                required |= 2
            case "division":
                guard let value = reader.string() else { return false }
                area.division = value
                required |= 4
            case "partners":
                guard let value = list(&reader, PartnerFunction.read) else { return false }
                area.partners = value
                required |= 8
            case "currency": return optional(&reader, &area.currency)
            case "paymentTerms": return optional(&reader, &area.paymentTerms)
            case "incoterms": return optional(&reader, &area.incoterms)
            case "incotermsLocation": return optional(&reader, &area.incotermsLocation)
            case "customerGroup": return optional(&reader, &area.customerGroup)
            default: return reader.skipValue()
            }
            return true
        }
        return read && required == 15 ? area : nil
    }
}

extension PartnerFunction {
    fileprivate static func read(_ reader: inout JSONReader) -> PartnerFunction? {
        var role: Role?
        var customerKey: String?
        let read = reader.object { reader, key in
            switch key {
            case "role":
                role = reader.string().flatMap(Role.init(rawValue:))
                return role != nil
            case "customerKey":
                customerKey = reader.string()
                return customerKey != nil
            default: return reader.skipValue()
            }
        }
        guard read, let role, let customerKey else { return nil }
        return PartnerFunction(role: role, customerKey: customerKey)
    }
}

extension CompanyCode {
    fileprivate static func read(_ reader: inout JSONReader) -> CompanyCode? {
        var code = CompanyCode(companyCode: "")
        var hasCode = false
        let read = reader.object { reader, key in
            switch key {
            case "companyCode":
                guard let value = reader.string() else { return false }
                code.companyCode = value
                hasCode = true
                return true
            case "reconciliationAccount": return optional(&reader, &code.reconciliationAccount)
            case "paymentTerms": return optional(&reader, &code.paymentTerms)
            default: return reader.skipValue()
            }
        }
        return read && hasCode ? code : nil
    }
}

extension BankAccount {
    fileprivate static func read(_ reader: inout JSONReader) -> BankAccount? {
        var account = BankAccount()
        let read = reader.object { reader, key in
            switch key {
            case "iban": return optional(&reader, &account.iban)
            case "bankCountry": return optional(&reader, &account.bankCountry)
            case "bankKey": return optional(&reader, &account.bankKey)
            case "accountNumber": return optional(&reader, &account.accountNumber)
            case "holder": return optional(&reader, &account.holder)
            default: return reader.skipValue()
            }
        }
        return read ? account : nil
    }
}

extension Identifier {
    fileprivate static func read(_ reader: inout JSONReader) -> Identifier? {
        var type: String?
        var value: String?
        var country: String?
        let read = reader.object { reader, key in
            switch key {
            case "type": guard let text = reader.string() else { return false }; type = text
            case "value": guard let text = reader.string() else { return false }; value = text
            case "country": return optional(&reader, &country)
            default: return reader.skipValue()
            }
            return true
        }
        guard read, let type, let value else { return nil }
        return Identifier(type: type, country: country, value: value)
    }
}
