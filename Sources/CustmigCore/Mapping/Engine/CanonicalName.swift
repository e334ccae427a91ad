/// The name of a canonical field as the engine reads it from a section's mapped values: an index into
/// the section's slot table, so building a customer looks each of its fields up by position instead of
/// comparing names with every field of the section (~2% of mapping a flat CSV record).
///
/// Every name of ``CanonicalCatalog/fields``, once, whatever its section (`currency` is a customer's
/// and a sales area's); ``SectionPlan`` resolves them to its own fields when it is built.
enum CanonicalName: Int, CaseIterable {
    case key, legacyKey, name1, name2, name3, name4, searchTerm, accountGroup, blocked, deletionFlag
    case blockOrder, blockDelivery, blockBilling, blockPosting, vatId, taxNumber1, taxNumber2
    case language, currency, industry, parent, paymentTerms, creditLimit, createdOn, category
    case title, firstName, lastName, birthDate
    case kind, street, houseNumber, postalCode, city, region, country, poBox
    case id, phone, email, department, function
    case salesOrganization, distributionChannel, division, incoterms, incotermsLocation, customerGroup
    case role, customer
    case companyCode, reconciliationAccount
    case iban, bankCountry, bankKey, accountNumber, holder
    case type, value

    /// The name as mappings and the catalog spell it.
    var text: String {
        switch self {
        case .key: return "key"
        case .legacyKey: return "legacy_key"
        case .name1: return "name1"
        case .name2: return "name2"
        case .name3: return "name3"
        case .name4: return "name4"
        case .searchTerm: return "search_term"
        case .accountGroup: return "account_group"
        case .blocked: return "blocked"
        case .deletionFlag: return "deletion_flag"
        case .blockOrder: return "block_order"
        case .blockDelivery: return "block_delivery"
        case .blockBilling: return "block_billing"
        case .blockPosting: return "block_posting"
        case .vatId: return "vat_id"
        case .taxNumber1: return "tax_number_1"
        case .taxNumber2: return "tax_number_2"
        case .language: return "language"
        case .currency: return "currency"
        case .industry: return "industry"
        case .parent: return "parent"
        case .paymentTerms: return "payment_terms"
        case .creditLimit: return "credit_limit"
        case .createdOn: return "created_on"
        case .category: return "category"
        case .title: return "title"
        case .firstName: return "first_name"
        case .lastName: return "last_name"
        case .birthDate: return "birth_date"
        case .kind: return "kind"
        case .street: return "street"
        case .houseNumber: return "house_number"
        case .postalCode: return "postal_code"
        case .city: return "city"
        case .region: return "region"
        case .country: return "country"
        case .poBox: return "po_box"
        case .id: return "id"
        case .phone: return "phone"
        case .email: return "email"
        case .department: return "department"
        case .function: return "function"
        case .salesOrganization: return "sales_organization"
        case .distributionChannel: return "distribution_channel"
        case .division: return "division"
        case .incoterms: return "incoterms"
        case .incotermsLocation: return "incoterms_location"
        case .customerGroup: return "customer_group"
        case .role: return "role"
        case .customer: return "customer"
        case .companyCode: return "company_code"
        case .reconciliationAccount: return "reconciliation_account"
        case .iban: return "iban"
        case .bankCountry: return "bank_country"
        case .bankKey: return "bank_key"
        case .accountNumber: return "account_number"
        case .holder: return "holder"
        case .type: return "type"
        case .value: return "value"
        }
    }

    /// For each name (by raw value), the index of the field of that name among `names`, or -1.
    static func slots(in names: [String]) -> [Int] {
        allCases.map { names.firstIndex(of: $0.text) ?? -1 }
    }
}
