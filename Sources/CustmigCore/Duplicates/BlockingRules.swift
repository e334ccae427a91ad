/// The independent blocking rules: two customers are compared when some rule gives both the same key.
/// Each rule tolerates what another does not (a typo in a name's first letters, a moved customer, a
/// missing birth date), so a true pair one rule misses another catches; the report counts the pairs
/// each rule proposed and estimates from the matched pairs how many true pairs all of them missed.
public enum BlockingRule: Int, CaseIterable, Sendable, Codable {
    /// The same identifier (type and value): VAT id, national id, tax number.
    case identifier
    case phone
    case email
    /// Country, postal code and the first four letters of the name (a person's last name).
    case namePostal
    /// City and the first four letters of the name.
    case nameCity
    /// Country, the first four letters of a company name's first and last tokens.
    case nameTail
    /// Phonetic codes of the name (persons: first and last name in either order; organisations: first
    /// two tokens, with the country): survives typos in the first letters and swapped names.
    case phoneticName
    /// A person's phonetic last name and year of birth.
    case phoneticLastNameBirthYear
    /// A person's postal code and first initial.
    case postalInitial
    /// A person's full date of birth (survives any typo in both names).
    case birthDate

    public var label: String {
        switch self {
        case .identifier: return "identifier"
        case .phone: return "phone"
        case .email: return "email"
        case .namePostal: return "name prefix + postal code"
        case .nameCity: return "name prefix + city"
        case .nameTail: return "first and last name token prefixes"
        case .phoneticName: return "phonetic name"
        case .phoneticLastNameBirthYear: return "phonetic last name + birth year"
        case .postalInitial: return "postal code + first initial"
        case .birthDate: return "date of birth"
        }
    }

    /// Every (rule, key) of a customer: cheap exact keys, so a million customers never compare all pairs.
    static func keys(_ profile: CustomerMatcher.Profile) -> [(rule: BlockingRule, key: String)] {
        var keys: [(BlockingRule, String)] = []
        for identifier in profile.identifiers { keys.append((.identifier, "\(identifier.type):\(identifier.value)")) }
        for phone in profile.phones { keys.append((.phone, String(phone))) }
        for email in profile.emails { keys.append((.email, String(email))) }
        let nameTokens = profile.nameTokens
        let primary = profile.isPerson ? (profile.last ?? nameTokens.last) : nameTokens.first
        let prefix = primary.map { String($0.prefix(4)) } ?? ""
        let country = profile.country ?? ""
        if let postal = profile.postalCode, !prefix.isEmpty {
            keys.append((.namePostal, "\(country):\(postal):\(prefix)"))
        }
        if let city = profile.city, !prefix.isEmpty { keys.append((.nameCity, "\(city):\(prefix)")) }
        if profile.isPerson {
            if profile.firstCode != 0 || profile.lastCode != 0 {
                // In either order: first and last names swapped still meet.
                keys.append(
                    (
                        .phoneticName,
                        [profile.firstCode, profile.lastCode].sorted().map(String.init).joined(separator: ":")
                    ))
            }
            if let birth = profile.birth {
                if profile.lastCode != 0 {
                    keys.append((.phoneticLastNameBirthYear, "\(profile.lastCode):\(birth.prefix(4))"))
                }
                keys.append((.birthDate, birth))
            }
            if let postal = profile.postalCode, let initial = profile.first?.first {
                keys.append((.postalInitial, "\(country):\(postal):\(initial)"))
            }
        } else {
            if let last = nameTokens.last, nameTokens.count > 1 {
                keys.append((.nameTail, "\(country):\(prefix):\(last.prefix(4))"))
            }
            if profile.nameCode != 0 { keys.append((.phoneticName, "\(country):\(profile.nameCode)")) }
        }
        return keys
    }

    /// The rules that would have put two customers in one block.
    static func rules(catching a: CustomerMatcher.Profile, _ b: CustomerMatcher.Profile) -> Set<BlockingRule> {
        let other = Set(keys(b).map { "\($0.rule.rawValue)|\($0.key)" })
        return Set(keys(a).filter { other.contains("\($0.rule.rawValue)|\($0.key)") }.map(\.rule))
    }
}

/// What blocking did, rule by rule, and how much of the true pairs it likely caught.
public struct BlockingReport: Sendable, Codable, Equatable {
    public struct Rule: Sendable, Codable, Equatable {
        public var rule: String
        /// Blocks of two customers or more.
        public var blocks: Int
        /// Pairs the rule proposed (a pair several rules propose is compared once).
        public var pairs: Int
        /// Of the matched pairs some *other* rule caught, the share this rule caught too.
        public var recall: Double?
    }

    public var rules: [Rule] = []
    /// Matched pairs (at or above auto-merge) the estimate rests on.
    public var matchedPairs = 0
    /// 1 - Π(1 - recall of each rule): the share of true pairs at least one rule caught, if the rules
    /// miss independently of one another (an estimate, not a measurement).
    public var estimatedRecall: Double?

    public init() {}

    /// Fills `recall` and `estimatedRecall` from the rules that caught each matched pair.
    mutating func estimate(caught: [Set<BlockingRule>]) {
        matchedPairs = caught.count
        var missAll = 1.0
        var any = false
        for index in rules.indices {
            guard let rule = BlockingRule.allCases.first(where: { $0.label == rules[index].rule }) else { continue }
            let byOthers = caught.filter { !$0.subtracting([rule]).isEmpty }
            guard byOthers.count >= 5 else { continue }
            let recall = Double(byOthers.filter { $0.contains(rule) }.count) / Double(byOthers.count)
            rules[index].recall = recall
            missAll *= 1 - recall
            any = true
        }
        estimatedRecall = any ? 1 - missAll : nil
    }
}

extension CustomerMatcher {
    /// A customer's blocking keys as text (`rule|key`), for callers that block by dictionary.
    public static func blockingKeys(_ profile: Profile) -> [String] {
        BlockingRule.keys(profile).map { "\($0.rule.rawValue)|\($0.key)" }
    }
}
