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

    public init(key: String, legacyKey: String) {
        self.key = key
        self.legacyKey = legacyKey
    }

    /// Legacy keys of the customers this one refers to (parent, partner functions), without itself.
    public var references: Set<String> {
        var keys = Set<String>()
        if let parentKey { keys.insert(parentKey) }
        for area in salesAreas { for partner in area.partners { keys.insert(partner.customerKey) } }
        keys.remove(legacyKey)
        return keys
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
