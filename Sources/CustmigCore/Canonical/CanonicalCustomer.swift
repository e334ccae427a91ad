/// custmig's own customer model, close to a cloud ERP business partner with the customer role.
///
/// It carries what SAP's DEBMAS segments carry (E1KNA1M general data, E1KNVVM sales areas with E1KNVPM
/// partner functions, E1KNB1M company codes, E1KNVKM contacts, E1KNBKM bank details). Values are
/// cleansed strings in canonical form: ISO codes, E.164 phones, `yyyy-MM-dd` dates, decimals with `.`.
/// References to other customers (parent, partner functions) hold legacy keys until the key map
/// resolves them; they decide load order (referenced customers first).
public struct CanonicalCustomer: Sendable, Hashable, Codable {
    /// The customer's key in custmig (the survivor's key after duplicates are merged).
    public var key: String
    /// The key in the source system, as mapped (e.g. after ALPHA conversion).
    public var legacyKey: String
    public var names: [String] = []
    /// Person or organisation (SAP's business partner category); nil in records mapped before it existed.
    public var category: CustomerCategory?
    /// A person's name parts, beside `names` (which the target's name columns take).
    public var title: String?
    public var firstName: String?
    public var lastName: String?
    /// ISO date.
    public var birthDate: String?
    public var searchTerm: String?
    public var accountGroup: String?
    public var status: CustomerStatus = .active
    /// Blocks by area (`order`, `delivery`, `billing`, `posting`), each with the legacy block code.
    public var blocks: [String: String] = [:]
    public var vatId: String?
    /// Other tax numbers by kind (`tax_number_1`…).
    public var taxNumbers: [String: String] = [:]
    public var language: String?
    public var currency: String?
    public var industry: String?
    /// Legacy key of the parent customer (corporate group).
    public var parentKey: String?
    public var paymentTerms: String?
    /// Canonical decimal (`12500.00`).
    public var creditLimit: String?
    /// ISO date.
    public var createdOn: String?
    public var addresses: [Address] = []
    public var contacts: [Contact] = []
    public var salesAreas: [SalesArea] = []
    public var companyCodes: [CompanyCode] = []
    public var bankAccounts: [BankAccount] = []
    /// National ids, tax and register numbers, each with its type and issuing country (the VAT id and
    /// tax numbers above stay where they were; ``allIdentifiers`` lists them all).
    public var identifiers: [Identifier] = []

    public init(key: String, legacyKey: String) {
        self.key = key
        self.legacyKey = legacyKey
    }

    enum CodingKeys: String, CodingKey {
        case key, legacyKey, names, category, title, firstName, lastName, birthDate, searchTerm, accountGroup
        case status, blocks, vatId, taxNumbers, language, currency, industry, parentKey, paymentTerms
        case creditLimit, createdOn, addresses, contacts, salesAreas, companyCodes, bankAccounts, identifiers
    }

    /// As synthesized, except that the lists added after records were first stored (`identifiers`) may
    /// be absent: records mapped before read as they did.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        legacyKey = try c.decode(String.self, forKey: .legacyKey)
        names = try c.decode([String].self, forKey: .names)
        category = try c.decodeIfPresent(CustomerCategory.self, forKey: .category)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        firstName = try c.decodeIfPresent(String.self, forKey: .firstName)
        lastName = try c.decodeIfPresent(String.self, forKey: .lastName)
        birthDate = try c.decodeIfPresent(String.self, forKey: .birthDate)
        searchTerm = try c.decodeIfPresent(String.self, forKey: .searchTerm)
        accountGroup = try c.decodeIfPresent(String.self, forKey: .accountGroup)
        status = try c.decode(CustomerStatus.self, forKey: .status)
        blocks = try c.decode([String: String].self, forKey: .blocks)
        vatId = try c.decodeIfPresent(String.self, forKey: .vatId)
        taxNumbers = try c.decode([String: String].self, forKey: .taxNumbers)
        language = try c.decodeIfPresent(String.self, forKey: .language)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        industry = try c.decodeIfPresent(String.self, forKey: .industry)
        parentKey = try c.decodeIfPresent(String.self, forKey: .parentKey)
        paymentTerms = try c.decodeIfPresent(String.self, forKey: .paymentTerms)
        creditLimit = try c.decodeIfPresent(String.self, forKey: .creditLimit)
        createdOn = try c.decodeIfPresent(String.self, forKey: .createdOn)
        addresses = try c.decode([Address].self, forKey: .addresses)
        contacts = try c.decode([Contact].self, forKey: .contacts)
        salesAreas = try c.decode([SalesArea].self, forKey: .salesAreas)
        companyCodes = try c.decode([CompanyCode].self, forKey: .companyCodes)
        bankAccounts = try c.decode([BankAccount].self, forKey: .bankAccounts)
        identifiers = try c.decodeIfPresent([Identifier].self, forKey: .identifiers) ?? []
    }

    /// As synthesized, except that absent values and an empty `identifiers` are left out, as the
    /// ledger's writer (``jsonText``) leaves them out.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(legacyKey, forKey: .legacyKey)
        try c.encode(names, forKey: .names)
        try c.encodeIfPresent(category, forKey: .category)
        try c.encodeIfPresent(title, forKey: .title)
        try c.encodeIfPresent(firstName, forKey: .firstName)
        try c.encodeIfPresent(lastName, forKey: .lastName)
        try c.encodeIfPresent(birthDate, forKey: .birthDate)
        try c.encodeIfPresent(searchTerm, forKey: .searchTerm)
        try c.encodeIfPresent(accountGroup, forKey: .accountGroup)
        try c.encode(status, forKey: .status)
        try c.encode(blocks, forKey: .blocks)
        try c.encodeIfPresent(vatId, forKey: .vatId)
        try c.encode(taxNumbers, forKey: .taxNumbers)
        try c.encodeIfPresent(language, forKey: .language)
        try c.encodeIfPresent(currency, forKey: .currency)
        try c.encodeIfPresent(industry, forKey: .industry)
        try c.encodeIfPresent(parentKey, forKey: .parentKey)
        try c.encodeIfPresent(paymentTerms, forKey: .paymentTerms)
        try c.encodeIfPresent(creditLimit, forKey: .creditLimit)
        try c.encodeIfPresent(createdOn, forKey: .createdOn)
        try c.encode(addresses, forKey: .addresses)
        try c.encode(contacts, forKey: .contacts)
        try c.encode(salesAreas, forKey: .salesAreas)
        try c.encode(companyCodes, forKey: .companyCodes)
        try c.encode(bankAccounts, forKey: .bankAccounts)
        if !identifiers.isEmpty { try c.encode(identifiers, forKey: .identifiers) }
    }

    /// Every identifier the customer holds, the VAT id and tax numbers included (types `vat`,
    /// `tax_number_1`, `tax_number_2`; a VAT id's country is its prefix), for matching.
    public var allIdentifiers: [Identifier] {
        var all = identifiers
        if let vatId, !vatId.isEmpty {
            let prefix = String(vatId.prefix(2))
            all.append(Identifier(type: "vat", country: prefix == "EL" ? "GR" : prefix, value: vatId))
        }
        for (kind, number) in taxNumbers.sorted(by: { $0.key < $1.key }) where !number.isEmpty {
            all.append(Identifier(type: kind, value: number))
        }
        return all
    }

    /// Legacy keys of the customers this one refers to (parent, partner functions), without itself.
    public var references: Set<String> { Set(sortedReferences) }

    /// ``references`` in ascending order, gathered without a set: most customers refer to none or one
    /// (a sold-to partner that is the customer itself is not a reference), and the map renders every one.
    var sortedReferences: [String] {
        var keys: [String] = []
        if let parentKey, parentKey != legacyKey { keys.append(parentKey) }
        for area in salesAreas {
            for partner in area.partners where partner.customerKey != legacyKey { keys.append(partner.customerKey) }
        }
        guard keys.count > 1 else { return keys }
        keys.sort()
        var unique = [keys[0]]
        for key in keys.dropFirst() where key != unique[unique.count - 1] { unique.append(key) }
        return unique
    }
}

/// Whether a customer is a natural person or an organisation: persons are matched by their name parts
/// and date of birth, organisations by their name without its legal form.
public enum CustomerCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case person
    case organization
}

/// An identifier a customer holds: `type` is a code (`national_id`, `tax_number`, `passport`,
/// `company_register`, `vat`…), `country` the issuing country (ISO 3166-1 alpha-2) when known.
public struct Identifier: Sendable, Hashable, Codable {
    public var type: String
    public var country: String?
    public var value: String

    public init(type: String, country: String? = nil, value: String) {
        self.type = type
        self.country = country
        self.value = value
    }
}

public enum CustomerStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case active
    case blocked
    /// Marked for deletion in the legacy system (usually rejected by a mapping rule).
    case deletionFlagged = "deletion_flagged"
}

public struct Address: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case legal
        case billTo = "bill_to"
        case shipTo = "ship_to"
    }

    public var kind: Kind = .legal
    public var street: String?
    public var houseNumber: String?
    public var postalCode: String?
    public var city: String?
    public var region: String?
    /// ISO 3166-1 alpha-2.
    public var country: String?
    public var poBox: String?

    public init(kind: Kind = .legal) { self.kind = kind }
}

public struct Contact: Sendable, Hashable, Codable {
    public var id: String?
    public var firstName: String?
    public var lastName: String?
    /// E.164.
    public var phone: String?
    public var email: String?
    public var department: String?
    public var function: String?

    public init() {}
}

public struct SalesArea: Sendable, Hashable, Codable {
    public var salesOrganization: String
    public var distributionChannel: String
    public var division: String
    public var currency: String?
    public var paymentTerms: String?
    public var incoterms: String?
    public var incotermsLocation: String?
    public var customerGroup: String?
    public var partners: [PartnerFunction] = []

    public init(salesOrganization: String, distributionChannel: String, division: String) {
        self.salesOrganization = salesOrganization
        self.distributionChannel = distributionChannel
        self.division = division
    }
}

/// A partner function in a sales area: sold-to, ship-to, bill-to or payer, pointing at a customer.
public struct PartnerFunction: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        case soldTo = "sold_to"
        case shipTo = "ship_to"
        case billTo = "bill_to"
        case payer
    }

    public var role: Role
    /// Legacy key of the partner customer.
    public var customerKey: String

    public init(role: Role, customerKey: String) {
        self.role = role
        self.customerKey = customerKey
    }
}

public struct CompanyCode: Sendable, Hashable, Codable {
    public var companyCode: String
    public var reconciliationAccount: String?
    public var paymentTerms: String?

    public init(companyCode: String) { self.companyCode = companyCode }
}

public struct BankAccount: Sendable, Hashable, Codable {
    public var iban: String?
    public var bankCountry: String?
    public var bankKey: String?
    public var accountNumber: String?
    public var holder: String?

    public init() {}
}

extension CanonicalCustomer {
    /// The address a customer is shown and matched by: the legal one, else the first.
    var mainAddress: Address? { addresses.first { $0.kind == .legal } ?? addresses.first }
}
