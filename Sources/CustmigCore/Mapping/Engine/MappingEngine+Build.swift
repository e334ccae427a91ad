/// Turning mapped field values into the typed canonical model.
extension MappingEngine {
    private static let blockFields: [(String, CanonicalName)] = [
        ("order", .blockOrder), ("delivery", .blockDelivery), ("billing", .blockBilling), ("posting", .blockPosting),
    ]

    private static let nameFields: [CanonicalName] = [.name1, .name2, .name3, .name4]
    private static let taxNumberFields: [CanonicalName] = [.taxNumber1, .taxNumber2]

    func apply(_ fields: FieldValues, to customer: inout CanonicalCustomer) {
        customer.names = Self.nameFields.compactMap { fields[$0] }
        customer.searchTerm = fields[.searchTerm]
        customer.accountGroup = fields[.accountGroup]
        if fields[.deletionFlag] == "true" {
            customer.status = .deletionFlagged
        } else if fields[.blocked] == "true" {
            customer.status = .blocked
        }
        for (area, field) in Self.blockFields {
            if let block = fields[field] { customer.blocks[area] = block }
        }
        customer.vatId = fields[.vatId]
        for kind in Self.taxNumberFields {
            if let number = fields[kind] { customer.taxNumbers[kind.text] = number }
        }
        customer.language = fields[.language]
        customer.currency = fields[.currency]
        customer.industry = fields[.industry]
        customer.parentKey = fields[.parent]
        customer.paymentTerms = fields[.paymentTerms]
        customer.creditLimit = fields[.creditLimit]
        customer.createdOn = fields[.createdOn]
        customer.title = fields[.title]
        customer.firstName = fields[.firstName]
        customer.lastName = fields[.lastName]
        customer.birthDate = fields[.birthDate]
        customer.category = fields[.category].flatMap(CustomerCategory.init(rawValue:))
        if customer.names.isEmpty, let name = Self.personName(customer) { customer.names = [name] }
    }

    /// `title first last` for a person mapped without a name: the target's name columns take it.
    static func personName(_ customer: CanonicalCustomer) -> String? {
        let parts = [customer.title, customer.firstName, customer.lastName].compactMap { $0 }.filter { !$0.isEmpty }
        return customer.firstName == nil && customer.lastName == nil ? nil : parts.joined(separator: " ")
    }

    func makeIdentifier(_ fields: FieldValues) -> Identifier? {
        guard let type = fields[.type], let value = fields[.value] else { return nil }
        return Identifier(type: type.lowercased(), country: fields[.country], value: value)
    }

    func makeAddress(_ fields: FieldValues) -> Address {
        var address = Address(kind: fields[.kind].flatMap(Address.Kind.init(rawValue:)) ?? .legal)
        address.street = fields[.street]
        address.houseNumber = fields[.houseNumber]
        address.postalCode = fields[.postalCode]
        address.city = fields[.city]
        address.region = fields[.region]
        address.country = fields[.country]
        address.poBox = fields[.poBox]
        return address
    }

    func makeContact(_ fields: FieldValues) -> Contact {
        var contact = Contact()
        contact.id = fields[.id]
        contact.firstName = fields[.firstName]
        contact.lastName = fields[.lastName]
        contact.phone = fields[.phone]
        contact.email = fields[.email]
        contact.department = fields[.department]
        contact.function = fields[.function]
        return contact
    }

    func makeSalesArea(_ fields: FieldValues) -> SalesArea? {
        guard let organization = fields[.salesOrganization], let channel = fields[.distributionChannel],
            let division = fields[.division]
        else { return nil }
        var area = SalesArea(salesOrganization: organization, distributionChannel: channel, division: division)
        area.currency = fields[.currency]
        area.paymentTerms = fields[.paymentTerms]
        area.incoterms = fields[.incoterms]
        area.incotermsLocation = fields[.incotermsLocation]
        area.customerGroup = fields[.customerGroup]
        return area
    }

    func makeCompanyCode(_ fields: FieldValues) -> CompanyCode? {
        guard let code = fields[.companyCode] else { return nil }
        var companyCode = CompanyCode(companyCode: code)
        companyCode.reconciliationAccount = fields[.reconciliationAccount]
        companyCode.paymentTerms = fields[.paymentTerms]
        return companyCode
    }

    func makeBankAccount(_ fields: FieldValues) -> BankAccount {
        var account = BankAccount()
        account.iban = fields[.iban]
        account.bankCountry = fields[.bankCountry]
        account.bankKey = fields[.bankKey]
        account.accountNumber = fields[.accountNumber]
        account.holder = fields[.holder]
        return account
    }
}
