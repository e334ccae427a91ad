/// Builds one surviving (golden) customer from a cluster's members.
///
/// The most complete member is the base (most filled fields; then the most recently created; then the
/// smallest key, so the result never depends on input order); its blank fields are filled from the
/// other members in the same order ("never blank"); lists are united (contacts by email or phone, sales
/// areas by organization/channel/division, company codes by code, bank accounts by IBAN).
public enum Survivorship {
    static func completeness(_ customer: CanonicalCustomer) -> Int {
        let scalars: [String?] = [
            customer.names.first, customer.accountGroup, customer.vatId, customer.language, customer.currency,
            customer.industry, customer.paymentTerms, customer.creditLimit, customer.createdOn,
        ]
        return scalars.compactMap { $0 }.count + customer.addresses.count + customer.contacts.count
            + customer.salesAreas.count + customer.bankAccounts.count
    }

    public static func ordered(_ members: [CanonicalCustomer]) -> [CanonicalCustomer] {
        members.sorted { a, b in
            let (ca, cb) = (completeness(a), completeness(b))
            if ca != cb { return ca > cb }
            if a.createdOn != b.createdOn { return (a.createdOn ?? "") > (b.createdOn ?? "") }
            return a.key < b.key
        }
    }

    public static func survivor(of members: [CanonicalCustomer], goldenKey: String) -> CanonicalCustomer {
        let ordered = ordered(members)
        var golden = ordered[0]
        golden.key = goldenKey
        for other in ordered.dropFirst() {
            if golden.names.isEmpty { golden.names = other.names }
            golden.accountGroup = golden.accountGroup ?? other.accountGroup
            golden.vatId = golden.vatId ?? other.vatId
            golden.language = golden.language ?? other.language
            golden.currency = golden.currency ?? other.currency
            golden.industry = golden.industry ?? other.industry
            golden.parentKey = golden.parentKey ?? other.parentKey
            golden.paymentTerms = golden.paymentTerms ?? other.paymentTerms
            golden.creditLimit = golden.creditLimit ?? other.creditLimit
            golden.createdOn = golden.createdOn ?? other.createdOn
            if golden.addresses.isEmpty { golden.addresses = other.addresses }
            for contact in other.contacts where !golden.contacts.contains(where: {
                ($0.email != nil && $0.email == contact.email) || ($0.phone != nil && $0.phone == contact.phone)
            }) {
                golden.contacts.append(contact)
            }
            for area in other.salesAreas where !golden.salesAreas.contains(where: {
                $0.salesOrganization == area.salesOrganization && $0.distributionChannel == area.distributionChannel
                    && $0.division == area.division
            }) {
                golden.salesAreas.append(area)
            }
            for code in other.companyCodes where !golden.companyCodes.contains(where: { $0.companyCode == code.companyCode }) {
                golden.companyCodes.append(code)
            }
            for account in other.bankAccounts where account.iban != nil
                && !golden.bankAccounts.contains(where: { $0.iban == account.iban })
            {
                golden.bankAccounts.append(account)
            }
        }
        return golden
    }
}
