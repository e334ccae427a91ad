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

    public static func survivor(
        of members: [CanonicalCustomer], goldenKey: String, rules: SurvivorshipRules = SurvivorshipRules()
    ) -> CanonicalCustomer {
        let ordered = ordered(members)
        var golden = ordered[0]
        golden.key = goldenKey
        func text(_ field: String, _ value: (CanonicalCustomer) -> String?) -> String? {
            choose(rules.rule(field), ordered, { value($0).flatMap { $0.isEmpty ? nil : $0 } }, size: \.count, identity: { $0 })
        }
        golden.names =
            choose(
                rules.rule("names"), ordered, { $0.names.isEmpty ? nil : $0.names },
                size: { $0.joined().count }, identity: { $0.joined(separator: "\u{1F}") }) ?? []
        golden.searchTerm = text("search_term", \.searchTerm)
        golden.accountGroup = text("account_group", \.accountGroup)
        golden.vatId = text("vat_id", \.vatId)
        golden.language = text("language", \.language)
        golden.currency = text("currency", \.currency)
        golden.industry = text("industry", \.industry)
        golden.parentKey = text("parent", \.parentKey)
        golden.paymentTerms = text("payment_terms", \.paymentTerms)
        golden.creditLimit = text("credit_limit", \.creditLimit)
        golden.createdOn = text("created_on", \.createdOn)
        golden.addresses =
            choose(
                rules.rule("addresses"), ordered, { $0.addresses.isEmpty ? nil : $0.addresses }, size: \.count,
                identity: { String(describing: $0) }) ?? []
        for other in ordered.dropFirst() {
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

    /// One field's value by `rule`, among the members (in completeness order) that have one.
    static func choose<Value>(
        _ rule: SurvivorshipRules.Rule, _ ordered: [CanonicalCustomer], _ value: (CanonicalCustomer) -> Value?,
        size: (Value) -> Int, identity: (Value) -> String
    ) -> Value? {
        let candidates = ordered.compactMap { member in value(member).map { (member, $0) } }
        guard var best = candidates.first else { return nil }
        switch rule {
        case .mostComplete:
            break
        case .mostRecent:
            for candidate in candidates.dropFirst() where (candidate.0.createdOn ?? "") > (best.0.createdOn ?? "") {
                best = candidate
            }
        case .longest:
            for candidate in candidates.dropFirst() where size(candidate.1) > size(best.1) { best = candidate }
        case .mostFrequent:
            var counts: [String: Int] = [:]
            for candidate in candidates { counts[identity(candidate.1), default: 0] += 1 }
            for candidate in candidates.dropFirst()
            where counts[identity(candidate.1)]! > counts[identity(best.1)]! {
                best = candidate
            }
        }
        return best.1
    }
}
