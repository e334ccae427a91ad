/// Scores how likely two canonical customers are the same person or organisation, and says why: a pure
/// function, no I/O. The duplicates stage uses it on blocked pairs; the dry run uses it to propose *link*.
///
/// Fellegi-Sunter: each field of ``MatchField`` is compared to an agreement level, each level weighs
/// log2(m/u) bits (``MatchWeights``, learned per run by the duplicates stage), and the pair's match
/// weight is their sum plus the prior. Persons are compared by first and last name (swapped, nicknames,
/// initials and sound-alikes caught) and date of birth; organisations by their name without its legal
/// form. Any identifier type both hold counts: the same value is strong evidence, a different one strong
/// counter-evidence. Missing values weigh nothing.
public struct CustomerMatcher: Sendable {
    public struct Settings: Sendable {
        /// Match weight (bits) at or above which the pair merges without a steward: 4.25 = probability 0.95.
        public var autoMerge = MatchWeights.matchWeight(probability: 0.95)
        /// At or above (and below `autoMerge`): a steward decides. 0 = probability 0.5.
        public var review = 0.0
        public init() {}
    }

    /// One field's contribution to a pair's score.
    public struct Evidence: Sendable, Hashable, Codable {
        public var field: String
        /// The field's agreement level (``MatchField/levels``) or `missing`.
        public var level: String
        public var weight: Double
    }

    public struct Score: Sendable, Codable {
        /// The match weight in bits, prior included.
        public var total: Double
        public var evidence: [Evidence]
        public var probability: Double { MatchWeights.probability(total) }
    }

    public var settings: Settings
    public var weights: MatchWeights {
        didSet { table = Self.table(weights) }
    }
    /// Each field level's weight (field `f`'s level `l` at `f * 4 + l`) and the prior, worked out once
    /// for each way the address counts (field by field, the same address, another address): `total`
    /// runs for every compared pair. Where the address counts once, it is in that prior. Inline
    /// storage, not arrays: every scoring thread retained the same array for every pair, and the
    /// contended reference count cost a sixth of scoring.
    private struct Table: Sendable {
        static let levelsPerField = 4
        var levels: InlineArray<48, Double>
        var atSameAddress: InlineArray<48, Double>
        var atOtherAddress: InlineArray<48, Double>
        var atSameStreet: InlineArray<48, Double>
        var prior: Double
        var priorAtSameAddress: Double
        var priorAtOtherAddress: Double
        var priorAtSameStreet: Double
        /// What a phone or e-mail weighs less between namesakes (``MatchWeights/uAtSameName``): elsewhere
        /// and at the same address, then field (phone, e-mail), then level.
        var contactsAtSameName: InlineArray<8, Double>
    }
    private var table: Table

    public init(settings: Settings = Settings(), weights: MatchWeights = .defaults) {
        self.settings = settings
        self.weights = weights
        table = Self.table(weights)
    }

    private static func table(_ weights: MatchWeights) -> Table {
        precondition(
            MatchField.allCases.count * Table.levelsPerField <= 48
                && MatchField.allCases.allSatisfy { $0.levels.count <= Table.levelsPerField })
        func levels(atSameAddress: Bool, wholeAddress: Double?) -> InlineArray<48, Double> {
            var table = InlineArray<48, Double>(repeating: 0)
            for field in MatchField.allCases {
                for level in field.levels.indices
                where !(wholeAddress != nil && MatchWeights.addressFields.contains(field)) {
                    table[field.rawValue * Table.levelsPerField + level] = weights.weight(
                        field, UInt8(level), atSameAddress: atSameAddress)
                }
            }
            return table
        }
        var contactsAtSameName = InlineArray<8, Double>(repeating: 0)
        for (way, atSameAddress) in [false, true].enumerated() {
            for (index, field) in [MatchField.phone, .email].enumerated() {
                for level in 0..<2 {
                    contactsAtSameName[way * 4 + index * 2 + level] =
                        weights.weight(field, UInt8(level), atSameAddress: atSameAddress, atSameName: true)
                        - weights.weight(field, UInt8(level), atSameAddress: atSameAddress)
                }
            }
        }
        return Table(
            levels: levels(atSameAddress: false, wholeAddress: nil),
            atSameAddress: levels(atSameAddress: true, wholeAddress: weights.sameAddressWeight),
            atOtherAddress: levels(atSameAddress: false, wholeAddress: weights.otherAddressWeight),
            atSameStreet: levels(atSameAddress: false, wholeAddress: weights.sameStreetWeight),
            prior: weights.prior,
            priorAtSameAddress: weights.prior + (weights.sameAddressWeight ?? 0),
            priorAtOtherAddress: weights.prior + (weights.otherAddressWeight ?? 0),
            priorAtSameStreet: weights.prior + (weights.sameStreetWeight ?? 0),
            contactsAtSameName: contactsAtSameName)
    }

    /// The match weight of a comparison (prior included).
    public func total(_ comparison: MatchComparison) -> Double {
        let together = MatchWeights.atSameAddress(comparison)
        let total: Double
        if together {
            total = Self.total(comparison, table.atSameAddress, table.priorAtSameAddress)
        } else if MatchWeights.atSameStreet(comparison) {
            total = Self.total(comparison, table.atSameStreet, table.priorAtSameStreet)
        } else if MatchWeights.atOtherAddress(comparison) {
            total = Self.total(comparison, table.atOtherAddress, table.priorAtOtherAddress)
        } else {
            total = Self.total(comparison, table.levels, table.prior)
        }
        guard MatchWeights.atSameName(comparison) else { return total }
        let way = together ? 1 : 0
        var corrected = total
        let (phone, email) = (comparison[.phone], comparison[.email])
        if phone != MatchComparison.missing { corrected += table.contactsAtSameName[way * 4 + Int(phone)] }
        if email != MatchComparison.missing { corrected += table.contactsAtSameName[way * 4 + 2 + Int(email)] }
        return corrected
    }

    private static func total(
        _ comparison: MatchComparison, _ levels: borrowing InlineArray<48, Double>, _ prior: Double
    ) -> Double {
        var total = prior
        var bits = comparison.bits
        for field in 0..<MatchField.allCases.count {
            let level = Int(bits & 0xF)
            bits >>= 4
            guard level != Int(MatchComparison.missing) else { continue }
            total += levels[field * Table.levelsPerField + level]
        }
        return total
    }

    public func score(_ a: Profile, _ b: Profile) -> Score {
        let comparison = Self.compare(a, b)
        let atSameAddress = MatchWeights.atSameAddress(comparison)
        let atSameName = MatchWeights.atSameName(comparison)
        var evidence: [Evidence] = []
        evidence.reserveCapacity(MatchField.allCases.count)
        let whole = weights.wholeAddressWeight(comparison)
        if let whole {
            let level = atSameAddress ? "same" : MatchWeights.atSameStreet(comparison) ? "same_street" : "other"
            evidence.append(Evidence(field: "address", level: level, weight: whole))
        }
        for field in MatchField.allCases {
            if whole != nil && MatchWeights.addressFields.contains(field) { continue }
            let level = comparison[field]
            if level == MatchComparison.missing {
                if field == .name || field == .identifier {
                    evidence.append(Evidence(field: field.label, level: "missing", weight: 0))
                }
                continue
            }
            evidence.append(
                Evidence(
                    field: field.label, level: field.levels[Int(level)],
                    weight: weights.weight(field, level, atSameAddress: atSameAddress, atSameName: atSameName)))
        }
        return Score(total: total(comparison), evidence: evidence)
    }

    // MARK: Comparing

    /// The agreement level of every field for a pair.
    public static func compare(_ a: Profile, _ b: Profile) -> MatchComparison {
        var result = MatchComparison()
        if a.isPerson && b.isPerson && (a.first != nil || a.last != nil) && (b.first != nil || b.last != nil) {
            comparePersonNames(a, b, into: &result)
        } else if !a.name.isEmpty && !b.name.isEmpty {
            result[.name] = nameLevel(a, b)
        }
        if let x = a.birth, let y = b.birth { result[.birthDate] = dateLevel(x, y) }
        if let level = identifierLevel(a.identifiers, b.identifiers) { result[.identifier] = level }
        if let x = a.postalCode, let y = b.postalCode {
            result[.postalCode] = x == y ? 0 : Similarity.withinOneEdit(x, y) ? 1 : 2
        }
        if let x = a.street, let y = b.street {
            result[.street] = x == y ? 0 : Similarity.jaroWinkler(x, y) >= 0.9 ? 1 : 2
        }
        if let x = a.houseNumber, let y = b.houseNumber { result[.houseNumber] = x == y ? 0 : 1 }
        // The same postal code already says the same city: counting both would count one fact twice.
        if let x = a.city, let y = b.city, result[.postalCode] != 0 {
            result[.city] = x == y ? 0 : Similarity.jaroWinkler(x, y) >= 0.9 ? 1 : 2
        }
        if let x = a.country, let y = b.country { result[.country] = x == y ? 0 : 1 }
        if !a.phones.isEmpty && !b.phones.isEmpty { result[.phone] = share(a.phones, b.phones) ? 0 : 1 }
        if !a.emails.isEmpty && !b.emails.isEmpty { result[.email] = share(a.emails, b.emails) ? 0 : 1 }
        return result
    }

    static func nameLevel(_ a: Profile, _ b: Profile) -> UInt8 {
        if a.name == b.name { return 0 }
        let similarity = Similarity.jaroWinkler(a.name, b.name)
        if similarity >= 0.95 || (similarity >= 0.85 && Similarity.sameTokenSet(a.name, b.name)) {
            return 1
        }
        if similarity >= 0.88 || (a.nameCode != 0 && a.nameCode == b.nameCode) { return 2 }
        return 3
    }

    /// First and last names, each compared as typed or swapped, whichever agrees better.
    static func comparePersonNames(_ a: Profile, _ b: Profile, into result: inout MatchComparison) {
        func lastLevel(_ x: String?, _ y: String?, _ codeX: UInt64, _ codeY: UInt64) -> UInt8? {
            guard let x, let y else { return nil }
            if x == y { return 0 }
            if Similarity.jaroWinkler(x, y) >= 0.92 || Similarity.withinOneEdit(x, y) { return 1 }
            if codeX != 0 && codeX == codeY { return 2 }
            return 3
        }
        func firstLevel(_ x: String?, _ y: String?, _ codeX: UInt64, _ codeY: UInt64) -> UInt8? {
            guard let x, let y else { return nil }
            if x == y { return 0 }
            if Similarity.jaroWinkler(x, y) >= 0.92 || Similarity.withinOneEdit(x, y) { return 1 }
            if Nicknames.related(x, y) { return 2 }
            if (x.utf8.count == 1 || y.utf8.count == 1) && x.utf8.first == y.utf8.first { return 2 }
            if codeX != 0 && codeX == codeY { return 2 }
            return 3
        }
        let direct = (
            firstLevel(a.first, b.first, a.firstCode, b.firstCode), lastLevel(a.last, b.last, a.lastCode, b.lastCode)
        )
        let swapped = (
            firstLevel(a.first, b.last, a.firstCode, b.lastCode), lastLevel(a.last, b.first, a.lastCode, b.firstCode)
        )
        func rank(_ levels: (UInt8?, UInt8?)) -> Int { Int(levels.0 ?? 4) + Int(levels.1 ?? 4) }
        let chosen = rank(swapped) + 2 < rank(direct) ? swapped : direct
        if let first = chosen.0 { result[.firstName] = first }
        if let last = chosen.1 { result[.lastName] = last }
    }

    /// Dates as `yyyymmdd`: the same, a typo (one digit wrong, two neighbours swapped, day and month
    /// swapped), or different.
    static func dateLevel(_ x: String, _ y: String) -> UInt8 {
        if x == y { return 0 }
        guard x.utf8.count == 8, y.utf8.count == 8 else { return 2 }
        if Similarity.withinOneEdit(x, y) { return 1 }
        var (first, second) = (x, y)
        let swapped = first.withUTF8 { a in
            second.withUTF8 { b in
                a[0..<4].elementsEqual(b[0..<4]) && a[4..<6].elementsEqual(b[6..<8]) && a[6..<8].elementsEqual(b[4..<6])
            }
        }
        return swapped ? 1 : 2
    }

    /// The best agreement over identifier types both customers hold; nil when they share no type.
    static func identifierLevel(_ a: [Profile.Identifier], _ b: [Profile.Identifier]) -> UInt8? {
        var best: UInt8?
        for x in a {
            for y in b where x.type == y.type {
                let level: UInt8 = x.value == y.value ? 0 : Similarity.withinOneEdit(x.value, y.value) ? 1 : 2
                if best == nil || level < best! { best = level }
            }
        }
        return best
    }

    /// Whether two lists share a value.
    static func share(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        for x in a where b.contains(x) { return true }
        return false
    }
}
