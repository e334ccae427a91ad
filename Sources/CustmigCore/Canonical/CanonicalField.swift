/// The kinds of canonical value, each with its canonical form; a mapping's transforms must produce it.
public enum CanonicalKind: String, Sendable, Hashable, CaseIterable {
    /// Free text.
    case text
    /// A code from a code list (account group, payment terms, sales organization…).
    case code
    /// A yes/no flag: `X`, `J`, `Y`, `1`, `true`, `yes`, `ja` are yes; empty, `N`, `0`, `false`, `no`, `nein` are no.
    case flag
    case country
    case language
    case currency
    case decimal
    case date
    case phone
    case email
    case vatId = "vat_id"
    case iban

    /// The transform that produces this kind, for messages ("add `country` to its transforms").
    var producingTransform: String? {
        switch self {
        case .country: return "country"
        case .language: return "language"
        case .currency: return "currency"
        case .decimal: return "parse_decimal"
        case .date: return "parse_date"
        case .phone: return "phone"
        case .email: return "email"
        case .vatId: return "vat_id"
        case .iban: return "iban"
        case .text, .code, .flag: return nil
        }
    }
}

/// Where a canonical field lives: on the customer, or on each element of one of its lists.
public enum CanonicalSection: String, Sendable, Hashable, CaseIterable {
    case customer
    case addresses
    case contacts
    case salesAreas = "sales_areas"
    /// Partner functions, inside each sales area.
    case partners
    case companyCodes = "company_codes"
    case bankAccounts = "bank_accounts"
    /// Typed identifiers: national ids, tax and register numbers.
    case identifiers

    /// The section a list section sits in (partners sit in sales areas).
    public var parent: CanonicalSection? {
        switch self {
        case .customer: return nil
        case .partners: return .salesAreas
        default: return .customer
        }
    }
}

/// Every field a mapping can fill, by section, with its kind; the mapping validator checks against it.
public enum CanonicalCatalog {
    public static let fields: [CanonicalSection: [String: CanonicalKind]] = [
        .customer: [
            "key": .code, "legacy_key": .code, "name1": .text, "name2": .text, "name3": .text, "name4": .text,
            "search_term": .text, "account_group": .code, "blocked": .flag, "deletion_flag": .flag,
            "block_order": .code, "block_delivery": .code, "block_billing": .code, "block_posting": .code,
            "vat_id": .vatId, "tax_number_1": .text, "tax_number_2": .text, "language": .language,
            "currency": .currency, "industry": .code, "parent": .code, "payment_terms": .code,
            "credit_limit": .decimal, "created_on": .date, "category": .code, "title": .text, "first_name": .text,
            "last_name": .text, "birth_date": .date,
        ],
        .addresses: [
            "kind": .code, "street": .text, "house_number": .text, "postal_code": .text, "city": .text,
            "region": .code, "country": .country, "po_box": .text,
        ],
        .contacts: [
            "id": .code, "first_name": .text, "last_name": .text, "phone": .phone, "email": .email,
            "department": .text, "function": .text,
        ],
        .salesAreas: [
            "sales_organization": .code, "distribution_channel": .code, "division": .code, "currency": .currency,
            "payment_terms": .code, "incoterms": .code, "incoterms_location": .text, "customer_group": .code,
        ],
        .partners: ["role": .code, "customer": .code],
        .companyCodes: ["company_code": .code, "reconciliation_account": .code, "payment_terms": .code],
        .bankAccounts: [
            "iban": .iban, "bank_country": .country, "bank_key": .code, "account_number": .code, "holder": .text,
        ],
        .identifiers: ["type": .code, "country": .country, "value": .text],
    ]

    /// Fields a list element cannot do without (an element missing one is not created and is reported).
    public static let identifying: [CanonicalSection: [String]] = [
        .salesAreas: ["sales_organization", "distribution_channel", "division"],
        .partners: ["role", "customer"],
        .companyCodes: ["company_code"],
        .identifiers: ["type", "value"],
    ]

    public static func kind(of field: String, in section: CanonicalSection) -> CanonicalKind? {
        fields[section]?[field]
    }
}
