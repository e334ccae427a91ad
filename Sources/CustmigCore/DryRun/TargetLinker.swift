/// Finds, for customers new to the crosswalk, a target customer someone already created by hand
/// (not loaded by custmig) that the duplicates matcher scores at or above its auto-merge threshold:
/// the dry run proposes *link* instead of *insert*. Each target customer is linked at most once, to
/// its best-scoring customer (ties go to the smaller key, so the result does not depend on order).
struct TargetLinker {
    let matcher: CustomerMatcher
    private var profiles: [String: CustomerMatcher.Profile] = [:]
    private var blocks: [String: [String]] = [:]
    /// Target id -> (canonical key, score) of its best match so far.
    private(set) var claims: [String: (key: String, score: Double)] = [:]

    init(matcher: CustomerMatcher, candidates: [String: CustomerImage]) {
        self.matcher = matcher
        for (id, image) in candidates {
            let profile = CustomerMatcher.Profile(CanonicalCustomer(image: image, key: id))
            profiles[id] = profile
            for key in CustomerMatcher.blockingKeys(profile) { blocks[key, default: []].append(id) }
        }
    }

    var isEmpty: Bool { profiles.isEmpty }

    mutating func consider(_ customer: CanonicalCustomer) {
        let profile = CustomerMatcher.Profile(customer)
        var seen = Set<String>()
        for block in CustomerMatcher.blockingKeys(profile) {
            for id in blocks[block] ?? [] where seen.insert(id).inserted {
                guard let candidate = profiles[id] else { continue }
                let score = matcher.score(profile, candidate).total
                guard score >= matcher.settings.autoMerge else { continue }
                if let claim = claims[id], claim.score > score || (claim.score == score && claim.key < customer.key) {
                    continue
                }
                claims[id] = (customer.key, score)
            }
        }
    }

    /// Canonical key -> (target id, score); a customer claimed by two target customers keeps the better.
    var links: [String: (id: String, score: Double)] {
        var result: [String: (id: String, score: Double)] = [:]
        for (id, claim) in claims.sorted(by: { $0.key < $1.key }) {
            if let existing = result[claim.key], existing.score >= claim.score { continue }
            result[claim.key] = (id, claim.score)
        }
        return result
    }
}

extension CanonicalCustomer {
    /// The matcher's view of a target customer: names, VAT id, addresses and contacts.
    init(image: CustomerImage, key: String) {
        self.init(key: key, legacyKey: key)
        let values = image.values
        names = ["name1", "name2", "name3", "name4"].compactMap { values[$0] }
        vatId = values["vat_id"]
        for kind in ["tax_number_1", "tax_number_2"] { if let number = values[kind] { taxNumbers[kind] = number } }
        category = values["category"].flatMap(CustomerCategory.init(rawValue:))
        (title, firstName, lastName, birthDate) = (
            values["title"], values["first_name"], values["last_name"], values["birth_date"]
        )
        let rows = image.rows.children
        for (_, row) in (rows["address"] ?? [:]).sorted(by: { $0.key < $1.key }) {
            var address = Address(kind: Address.Kind(rawValue: row["kind"] ?? "") ?? .legal)
            address.street = row["street"]
            address.houseNumber = row["house_number"]
            address.postalCode = row["postal_code"]
            address.city = row["city"]
            address.country = row["country"]
            addresses.append(address)
        }
        for (_, row) in (rows["contact"] ?? [:]).sorted(by: { $0.key < $1.key }) {
            var contact = Contact()
            contact.phone = row["phone"]
            contact.email = row["email"]
            contacts.append(contact)
        }
        for (_, row) in (rows["identifier"] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let type = row["type"], let value = row["value"] else { continue }
            identifiers.append(Identifier(type: type, country: row["country"], value: value))
        }
    }
}
