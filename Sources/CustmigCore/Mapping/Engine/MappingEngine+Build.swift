/// Turning mapped field values into the typed canonical model.
extension MappingEngine {
    private static let blockFields = [
        ("order", "block_order"), ("delivery", "block_delivery"), ("billing", "block_billing"),
        ("posting", "block_posting"),
    ]

    private static let nameFields = ["name1", "name2", "name3", "name4"]
    private static let taxNumberFields = ["tax_number_1", "tax_number_2"]

    func apply(_ fields: FieldValues, to customer: inout CanonicalCustomer) {
        customer.names = Self.nameFields.compactMap { fields[$0] }
        customer.searchTerm = fields["search_term"]
        customer.accountGroup = fields["account_group"]
        if fields["deletion_flag"] == "true" {
            customer.status = .deletionFlagged
        } else if fields["blocked"] == "true" {
            customer.status = .blocked
        }
        for (area, field) in Self.blockFields {
            if let block = fields[field] { customer.blocks[area] = block }
        }
        customer.vatId = fields["vat_id"]
        for kind in Self.taxNumberFields {
            if let number = fields[kind] { customer.taxNumbers[kind] = number }
        }
        customer.language = fields["language"]
        customer.currency = fields["currency"]
        customer.industry = fields["industry"]
        customer.parentKey = fields["parent"]
        customer.paymentTerms = fields["payment_terms"]
        customer.creditLimit = fields["credit_limit"]
        customer.createdOn = fields["created_on"]
        customer.title = fields["title"]
        customer.firstName = fields["first_name"]
        customer.lastName = fields["last_name"]
        customer.birthDate = fields["birth_date"]
        customer.category = fields["category"].flatMap(CustomerCategory.init(rawValue:))
        if customer.names.isEmpty, let name = Self.personName(customer) { customer.names = [name] }
    }

    /// `title first last` for a person mapped without a name: the target's name columns take it.
    static func personName(_ customer: CanonicalCustomer) -> String? {
        let parts = [customer.title, customer.firstName, customer.lastName].compactMap { $0 }.filter { !$0.isEmpty }
        return customer.firstName == nil && customer.lastName == nil ? nil : parts.joined(separator: " ")
    }

    func makeIdentifier(_ fields: FieldValues) -> Identifier? {
        guard let type = fields["type"], let value = fields["value"] else { return nil }
        return Identifier(type: type.lowercased(), country: fields["country"], value: value)
    }

    func makeAddress(_ fields: FieldValues) -> Address {
        var address = Address(kind: fields["kind"].flatMap(Address.Kind.init(rawValue:)) ?? .legal)
        address.street = fields["street"]
        address.houseNumber = fields["house_number"]
        address.postalCode = fields["postal_code"]
        address.city = fields["city"]
        address.region = fields["region"]
        address.country = fields["country"]
        address.poBox = fields["po_box"]
        return address
    }

    func makeContact(_ fields: FieldValues) -> Contact {
        var contact = Contact()
        contact.id = fields["id"]
        contact.firstName = fields["first_name"]
        contact.lastName = fields["last_name"]
        contact.phone = fields["phone"]
        contact.email = fields["email"]
        contact.department = fields["department"]
        contact.function = fields["function"]
        return contact
    }

    func makeSalesArea(_ fields: FieldValues) -> SalesArea? {
        guard let organization = fields["sales_organization"], let channel = fields["distribution_channel"],
            let division = fields["division"]
        else { return nil }
        var area = SalesArea(salesOrganization: organization, distributionChannel: channel, division: division)
        area.currency = fields["currency"]
        area.paymentTerms = fields["payment_terms"]
        area.incoterms = fields["incoterms"]
        area.incotermsLocation = fields["incoterms_location"]
        area.customerGroup = fields["customer_group"]
        return area
    }

    func makeCompanyCode(_ fields: FieldValues) -> CompanyCode? {
        guard let code = fields["company_code"] else { return nil }
        var companyCode = CompanyCode(companyCode: code)
        companyCode.reconciliationAccount = fields["reconciliation_account"]
        companyCode.paymentTerms = fields["payment_terms"]
        return companyCode
    }

    func makeBankAccount(_ fields: FieldValues) -> BankAccount {
        var account = BankAccount()
        account.iban = fields["iban"]
        account.bankCountry = fields["bank_country"]
        account.bankKey = fields["bank_key"]
        account.accountNumber = fields["account_number"]
        account.holder = fields["holder"]
        return account
    }
}
