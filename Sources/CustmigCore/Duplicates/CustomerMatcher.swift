/// Scores how likely two canonical customers are the same company, and says why: a pure function,
/// no I/O. The duplicates stage uses it on blocked pairs; the dry run will use it to propose *link*.
///
/// Hand weights in the spirit of Fellegi-Sunter (agreement adds, disagreement subtracts, missing
/// values add nothing): a shared VAT id is strong evidence, a different country or VAT id strong
/// counter-evidence; names are compared after removing legal forms, with Jaro-Winkler levels.
public struct CustomerMatcher: Sendable {
    public struct Settings: Sendable {
        /// At or above: the pair merges without a steward.
        public var autoMerge = 8.0
        /// At or above (and below `autoMerge`): a steward decides.
        public var review = 5.0
        public init() {}
    }

    /// One field's contribution to a pair's score.
    public struct Evidence: Sendable, Hashable, Codable {
        public var field: String
        /// `exact`, `close`, `similar`, `different`, `missing`.
        public var level: String
        public var weight: Double
    }

    public struct Score: Sendable, Codable {
        public var total: Double
        public var evidence: [Evidence]
    }

    /// What is compared, prepared once per customer. Kept small (arrays, not sets: a customer has a
    /// handful of name tokens and one or two phones): the duplicates stage holds a million of them.
    public struct Profile: Sendable {
        public var key: String
        public var nameTokens: [String]
        public var name: String
        public var vat: String?
        public var country: String?
        public var postalCode: String?
        public var city: String?
        public var street: String?
        /// Sorted, without repeats.
        public var phones: [String]
        /// Lower-cased, sorted, without repeats.
        public var emails: [String]

        public init(_ customer: CanonicalCustomer) {
            key = customer.key
            nameTokens = MatchNormalizer.nameTokens(customer.names.first ?? "")
            name = nameTokens.joined(separator: " ")
            vat = customer.vatId
            let address = customer.addresses.first { $0.kind == .legal } ?? customer.addresses.first
            country = address?.country
            postalCode = address?.postalCode?.filter { !$0.isWhitespace }.uppercased()
            city = address?.city.map(MatchNormalizer.fold)
            street = address?.street.map(MatchNormalizer.street)
            phones = Array(Set(customer.contacts.compactMap(\.phone))).sorted()
            emails = Array(Set(customer.contacts.compactMap { $0.email?.lowercased() })).sorted()
        }
    }

    /// Whether two sorted lists share a value.
    static func share(_ a: [String], _ b: [String]) -> Bool {
        for x in a where b.contains(x) { return true }
        return false
    }

    public var settings: Settings

    public init(settings: Settings = Settings()) { self.settings = settings }

    public func score(_ a: Profile, _ b: Profile) -> Score {
        var evidence: [Evidence] = []
        evidence.reserveCapacity(8)
        func add(_ field: String, _ level: String, _ weight: Double) {
            evidence.append(Evidence(field: field, level: level, weight: weight))
        }
        if let x = a.vat, let y = b.vat {
            if x == y { add("vat_id", "exact", 6) } else { add("vat_id", "different", -4) }
        } else {
            add("vat_id", "missing", 0)
        }
        if a.name.isEmpty || b.name.isEmpty {
            add("name", "missing", 0)
        } else {
            let similarity = a.name == b.name ? 1 : Similarity.jaroWinkler(a.name, b.name)
            let tokens = Similarity.tokenSet(a.nameTokens, b.nameTokens)
            if a.name == b.name {
                add("name", "exact", 5)
            } else if similarity >= 0.95 || (tokens == 1 && similarity >= 0.85) {
                add("name", "close", 4)
            } else if similarity >= 0.90 {
                add("name", "similar", 2)
            } else {
                add("name", "different", -4)
            }
        }
        if let x = a.country, let y = b.country, x != y { add("country", "different", -6) }
        if let x = a.postalCode, let y = b.postalCode, !x.isEmpty, !y.isEmpty {
            if x == y { add("postal_code", "exact", 2) } else { add("postal_code", "different", -2) }
        }
        if let x = a.street, let y = b.street, !x.isEmpty, !y.isEmpty {
            let similarity = x == y ? 1 : Similarity.jaroWinkler(x, y)
            if x == y {
                add("street", "exact", 2)
            } else if similarity >= 0.9 {
                add("street", "close", 1)
            } else {
                add("street", "different", -2)
            }
        }
        if let x = a.city, let y = b.city, !x.isEmpty, !y.isEmpty, x == y { add("city", "exact", 1) }
        if Self.share(a.phones, b.phones) { add("phone", "exact", 3) }
        if Self.share(a.emails, b.emails) { add("email", "exact", 3) }
        return Score(total: evidence.reduce(0) { $0 + $1.weight }, evidence: evidence)
    }

    /// Cheap exact keys: two customers are compared only when they share one, so a million customers
    /// never compare all pairs.
    public static func blockingKeys(_ profile: Profile) -> [String] {
        var keys: [String] = []
        if let vat = profile.vat { keys.append("vat:" + vat) }
        let first = profile.nameTokens.first.map { String($0.prefix(4)) } ?? ""
        if let country = profile.country, let postal = profile.postalCode, !postal.isEmpty, !first.isEmpty {
            keys.append("geo:\(country):\(postal):\(first)")
        }
        if let city = profile.city, !first.isEmpty { keys.append("city:\(city):\(first)") }
        if let last = profile.nameTokens.last, let country = profile.country, profile.nameTokens.count > 1 {
            keys.append("tail:\(country):\(first):\(last.prefix(4))")
        }
        for phone in profile.phones { keys.append("phone:" + phone) }
        for email in profile.emails { keys.append("email:" + email) }
        return keys
    }
}
