import Foundation

/// Fellegi-Sunter weights: for each field and agreement level, `m` (how often true matches agree at
/// that level) and `u` (how often unrelated customers do). A level's weight is log2(m/u) bits; a pair's
/// match weight is the sum over its fields plus the prior log2(λ/(1-λ)), λ being the share of compared
/// pairs that match; its match probability is 2^w / (1 + 2^w).
///
/// ``learn(candidates:random:pins:start:)`` estimates them from the data itself, as Splink
/// does: `u` from random pairs (nearly all unrelated), `m` by expectation maximisation over blocked
/// pairs in sessions that hold one group of fields fixed, then `u` and λ among the compared pairs. All are shrunk towards
/// ``defaults`` (pseudo-counts), so a small or duplicate-free run keeps sensible weights instead of
/// learning noise, and each field's weights are kept non-increasing from its best level to its worst
/// (better agreement never counts less).
public struct MatchWeights: Sendable, Codable, Equatable {
    /// By ``MatchField`` raw value, then level.
    public var m: [[Double]]
    public var u: [[Double]]
    public var lambda: Double
    /// Weights (bits) the mapping sets by hand, by `field.level`: they replace the learned ones.
    public var pinned: [String: Double] = [:]
    /// `u` as measured on random pairs.
    public var randomU: [[Double]]?
    /// `u` among unrelated pairs at the same address, for the fields outside the address: a household
    /// shares its last name and landline, a building of firms its switchboard, so at one address such
    /// agreement is far weaker evidence than between random customers (nil: not learned).
    public var uAtSameAddress: [[Double]]?
    /// [m, u] of the address as a whole agreeing (``atSameAddress(_:)``): postal code, street, house
    /// number, city and country say one fact there, so they count once (nil: each field counts).
    public var sameAddress: [Double]?
    /// [m, u] of the address as a whole differing (``atOtherAddress(_:)``): a customer who moved has a
    /// new postal code, street, house number and city at once, one fact that counted four times (nil:
    /// each field counts).
    public var otherAddress: [Double]?
    /// Pairs the estimate used: blocked (EM) and random (u), and the EM iterations it took.
    public var learnedFrom = LearnedFrom()

    public struct LearnedFrom: Sendable, Codable, Equatable {
        public var candidatePairs = 0
        public var randomPairs = 0
        public var iterations = 0
    }

    /// Starting values and what small runs shrink towards: a shared identifier, e-mail or phone is
    /// strong evidence, a different name strong counter-evidence; addresses count less (a building
    /// holds many customers).
    public static let defaults = MatchWeights(
        m: [
            [0.72, 0.16, 0.10, 0.02], [0.80, 0.08, 0.10, 0.02], [0.80, 0.10, 0.06, 0.04], [0.88, 0.11, 0.01],
            [0.93, 0.06, 0.01], [0.85, 0.05, 0.10], [0.70, 0.15, 0.15], [0.85, 0.15], [0.85, 0.08, 0.07],
            [0.99, 0.01], [0.50, 0.50], [0.50, 0.50],
        ],
        u: [
            [0.0005, 0.002, 0.01, 0.9875], [0.01, 0.005, 0.03, 0.955], [0.002, 0.002, 0.01, 0.986],
            [0.0003, 0.003, 0.9967], [0.00001, 0.0001, 0.99989], [0.2, 0.02, 0.78], [0.1, 0.02, 0.88],
            [0.3, 0.7], [0.3, 0.01, 0.69], [0.5, 0.5], [0.0001, 0.9999], [0.0001, 0.9999],
        ],
        lambda: 0.001)

    /// How many pairs' worth of belief the defaults carry against the data.
    static let mStrength = 100.0
    static let uStrength = 200.0
    static let lambdaStrength = 200.0

    public init(m: [[Double]], u: [[Double]], lambda: Double) {
        self.m = m
        self.u = u
        self.lambda = lambda
    }

    /// The weight of one field's level in bits (pinned, or log2(m/u)); `atSameAddress` for a pair whose
    /// address agrees (``atSameAddress(_:)``).
    public func weight(_ field: MatchField, _ level: UInt8, atSameAddress: Bool = false) -> Double {
        let name = field.levels[Int(level)]
        if let pin = pinned["\(field.label).\(name)"] { return pin }
        let u =
            atSameAddress ? (uAtSameAddress ?? self.u)[field.rawValue][Int(level)] : self.u[field.rawValue][Int(level)]
        return log2(m[field.rawValue][Int(level)] / u)
    }

    /// Whether a pair's address agrees: the same postal code, and neither street nor house number differ.
    public static func atSameAddress(_ comparison: MatchComparison) -> Bool {
        comparison[.postalCode] == 0 && comparison[.street] != 2 && comparison[.houseNumber] != 1
    }

    /// Whether a pair's address differs as a whole: another postal code (not a typo of it) and a street
    /// that does not agree or is missing.
    public static func atOtherAddress(_ comparison: MatchComparison) -> Bool {
        comparison[.postalCode] == 2 && comparison[.street] != 0 && comparison[.street] != 1
    }

    static let addressFields: [MatchField] = [.postalCode, .street, .houseNumber, .city, .country]

    /// The weight of a whole address agreeing, in bits (nil: each address field counts on its own).
    public var sameAddressWeight: Double? {
        if let pin = pinned["address.same"] { return pin }
        return sameAddress.map { log2($0[0] / $0[1]) }
    }

    /// The weight of a whole address differing, in bits (nil: each address field counts on its own).
    public var otherAddressWeight: Double? {
        if let pin = pinned["address.other"] { return pin }
        return otherAddress.map { log2($0[0] / $0[1]) }
    }

    /// The weight the address as a whole carries for a comparison, when it counts once (same or other
    /// address), else nil: its fields count one by one.
    public func wholeAddressWeight(_ comparison: MatchComparison) -> Double? {
        if Self.atSameAddress(comparison) { return sameAddressWeight }
        if Self.atOtherAddress(comparison) { return otherAddressWeight }
        return nil
    }

    /// The likelihood ratio m/u of a comparison (the prior not included).
    func ratio(_ comparison: MatchComparison) -> Double {
        let together = Self.atSameAddress(comparison)
        let whole = wholeAddressWeight(comparison)
        var ratio = whole.map(exp2) ?? 1.0
        for field in MatchField.allCases where comparison[field] != MatchComparison.missing {
            if whole != nil && Self.addressFields.contains(field) { continue }
            ratio *= exp2(weight(field, comparison[field], atSameAddress: together))
        }
        return ratio
    }

    /// log2(λ / (1 - λ)): where a pair stands before any field is compared.
    public var prior: Double { log2(lambda / (1 - lambda)) }

    public static func probability(_ matchWeight: Double) -> Double { 1 / (1 + exp2(-matchWeight)) }

    /// The match weight a probability stands for (thresholds are given either way).
    public static func matchWeight(probability: Double) -> Double { log2(probability / (1 - probability)) }

    // MARK: Learning

    /// Learns from comparisons counted over blocked pairs (`candidates`) and random pairs (`random`).
    ///
    /// As Splink does, `m` is estimated in two sessions that each hold one group of fields fixed, so
    /// that a group shared by unrelated customers cannot pass for identity: among pairs at the *same
    /// address*, EM over names, birth date, identifiers and contacts (a household, or a building of
    /// firms, then looks like what it is: different people); among pairs of the *same identity* (a
    /// shared identifier, or the same first name, last name and birth date), how often a true match
    /// still agrees on its address (people move). Then `u` and λ, the share of compared pairs that
    /// match, by EM over the blocked pairs with `m` held, `u` shrunk towards the random pairs'. With too few
    /// pairs at one address (no postal codes), the names' `m` comes from one EM over all blocked pairs.
    public static func learn(
        candidates: [MatchComparison: Int], random: [MatchComparison: Int], pins: [String: Double] = [:],
        start: MatchWeights = .defaults
    ) -> MatchWeights {
        var weights = start
        weights.pinned = pins
        let fields = MatchField.allCases
        // u: level frequencies among random pairs, shrunk towards the defaults.
        for field in fields {
            weights.u[field.rawValue] = shrunkFrequencies(
                field, in: random, towards: start.u[field.rawValue], strength: uStrength)
        }
        weights.randomU = weights.u
        let randomTotal = random.values.reduce(0, +)
        let total = candidates.values.reduce(0, +)
        var iterations = 0
        if total > 0 {
            // Session 1: the same address; its fields masked, EM over the rest.
            let address = addressFields
            var sameAddress: [MatchComparison: Int] = [:]
            for (comparison, count) in candidates where atSameAddress(comparison) {
                var masked = comparison
                for field in address { masked[field] = MatchComparison.missing }
                sameAddress[masked, default: 0] += count
            }
            let useSession = sameAddress.values.reduce(0, +) >= 30
            let session = expectationMaximisation(
                useSession ? sameAddress : candidates, u: weights.u, start: start, iterations: &iterations)
            for field in fields where !address.contains(field) || !useSession {
                weights.m[field.rawValue] = session.m[field.rawValue]
            }
            if useSession {
                var conditional = weights.u
                for field in fields where !address.contains(field) {
                    conditional[field.rawValue] = session.u[field.rawValue]
                }
                weights.uAtSameAddress = conditional
            }
            // Session 2: the same identity; how often its address still agrees, field by field and as a
            // whole (against random pairs at one address).
            if useSession {
                var (together, apart, identities) = (0.0, 0.0, 0.0)
                for (comparison, count) in candidates
                where comparison[.postalCode] != MatchComparison.missing && Self.sameIdentity(comparison) {
                    identities += Double(count)
                    if atSameAddress(comparison) { together += Double(count) }
                    if atOtherAddress(comparison) { apart += Double(count) }
                }
                var (randomTogether, randomApart, randomSeen) = (0.0, 0.0, 0.0)
                for (comparison, count) in random where comparison[.postalCode] != MatchComparison.missing {
                    randomSeen += Double(count)
                    if atSameAddress(comparison) { randomTogether += Double(count) }
                    if atOtherAddress(comparison) { randomApart += Double(count) }
                }
                weights.sameAddress = [
                    (together + mStrength * 0.8) / (identities + mStrength),
                    (randomTogether + uStrength * 1e-6) / (randomSeen + uStrength),
                ]
                weights.otherAddress = [
                    (apart + mStrength * 0.05) / (identities + mStrength),
                    (randomApart + uStrength * 0.95) / (randomSeen + uStrength),
                ]
                for field in address {
                    weights.m[field.rawValue] = shrunkFrequencies(
                        field, in: candidates, where: sameIdentity, towards: start.m[field.rawValue],
                        strength: mStrength)
                }
            }
            // u and λ among the compared pairs, m held: blocked pairs share their blocking keys, so
            // unrelated ones among them agree far more often than random pairs do, and a pair's score
            // is its probability among the pairs compared (as fastLink estimates within blocks).
            weights.keepOrder()
            let patterns = inFixedOrder(candidates)
            var lambda = 0.01
            for _ in 0..<200 {
                let odds = lambda / (1 - lambda)
                var other = fields.map { [Double](repeating: 0, count: $0.levels.count) }
                var (matches, otherTogether, otherApart, otherWithPostal) = (0.0, 0.0, 0.0, 0.0)
                for (comparison, count) in patterns {
                    let match = weights.ratio(comparison) * odds
                    let probability = match.isInfinite ? 1 : match / (1 + match)
                    matches += probability * Double(count)
                    let unrelated = (1 - probability) * Double(count)
                    for field in fields where comparison[field] != MatchComparison.missing {
                        other[field.rawValue][Int(comparison[field])] += unrelated
                    }
                    if comparison[.postalCode] != MatchComparison.missing {
                        otherWithPostal += unrelated
                        if atSameAddress(comparison) { otherTogether += unrelated }
                        if atOtherAddress(comparison) { otherApart += unrelated }
                    }
                }
                var change = 0.0
                for field in fields {
                    let seen = other[field.rawValue].reduce(0, +)
                    for level in field.levels.indices {
                        let u =
                            (other[field.rawValue][level] + uStrength * weights.randomU![field.rawValue][level])
                            / (seen + uStrength)
                        change = max(change, abs(u - weights.u[field.rawValue][level]))
                        weights.u[field.rawValue][level] = u
                    }
                }
                if let whole = weights.sameAddress {
                    let u = (otherTogether + uStrength * whole[1]) / (otherWithPostal + uStrength)
                    change = max(change, abs(u - whole[1]))
                    weights.sameAddress = [whole[0], u]
                }
                if let whole = weights.otherAddress {
                    let u = (otherApart + uStrength * whole[1]) / (otherWithPostal + uStrength)
                    change = max(change, abs(u - whole[1]))
                    weights.otherAddress = [whole[0], u]
                }
                // Up to 0.99, not 0.5: with tight blocks most compared pairs match (Febrl 1: ~9 in 10).
                let next = min(
                    max((matches + lambdaStrength * start.lambda) / (Double(total) + lambdaStrength), 1e-9), 0.99)
                change = max(change, abs(next - lambda))
                lambda = next
                if change < 1e-7 { break }
            }
            weights.lambda = lambda
        }
        weights.keepOrder()
        weights.learnedFrom = LearnedFrom(candidatePairs: total, randomPairs: randomTotal, iterations: iterations)
        return weights
    }

    /// The share of each of `field`'s levels among the `pairs` that pass `include` (missing values left
    /// out), shrunk towards `prior` by `strength` pseudo-pairs.
    static func shrunkFrequencies(
        _ field: MatchField, in pairs: [MatchComparison: Int], where include: (MatchComparison) -> Bool = { _ in true },
        towards prior: [Double], strength: Double
    ) -> [Double] {
        var counts = [Double](repeating: 0, count: field.levels.count)
        for (comparison, count) in inFixedOrder(pairs)
        where comparison[field] != MatchComparison.missing && include(comparison) {
            counts[Int(comparison[field])] += Double(count)
        }
        let seen = counts.reduce(0, +)
        return counts.enumerated().map { level, count in (count + strength * prior[level]) / (seen + strength) }
    }

    /// Comparisons in one order on every run: floating-point sums over a dictionary would follow the
    /// process's hash seed, and a pair near a threshold could merge in one run and not the next.
    static func inFixedOrder(_ pairs: [MatchComparison: Int]) -> [(key: MatchComparison, value: Int)] {
        pairs.sorted { $0.key.bits < $1.key.bits }
    }

    /// A comparison that can only be one customer: a shared identifier, or the same first name, last
    /// name and birth date, or (an organisation) the same name and a shared phone or e-mail.
    static func sameIdentity(_ comparison: MatchComparison) -> Bool {
        comparison[.identifier] == 0
            || (comparison[.firstName] == 0 && comparison[.lastName] == 0 && comparison[.birthDate] == 0)
            || (comparison[.name] == 0 && (comparison[.phone] == 0 || comparison[.email] == 0))
    }

    /// m, u and λ by EM over `patterns` (blocked pairs agree on their blocking fields, so unrelated pairs
    /// among them agree more often than random ones: u is re-estimated among them, starting from the
    /// random pairs' `u` and shrunk towards it). Everything shrunk towards `start`.
    static func expectationMaximisation(
        _ candidates: [MatchComparison: Int], u randomU: [[Double]], start: MatchWeights, iterations: inout Int
    ) -> MatchWeights {
        var weights = start
        let fields = MatchField.allCases
        let patterns = inFixedOrder(candidates)
        let total = Double(patterns.reduce(0) { $0 + $1.value })
        guard total > 0 else { return weights }
        // Starts from the random pairs' u, not the blocked pairs' level frequencies: where most blocked
        // pairs match (tight blocks, or pairs at one address), those frequencies *are* the matches', and
        // EM then learns the two classes the wrong way round (measured at 1M: every pair unrelated).
        weights.u = randomU
        weights.lambda = 0.01
        for iteration in 1...200 {
            iterations = iteration
            var matchCounts = fields.map { [Double](repeating: 0, count: $0.levels.count) }
            var otherCounts = matchCounts
            var matchTotal = 0.0
            let prior = weights.lambda / (1 - weights.lambda)
            for (comparison, count) in patterns {
                var ratio = prior
                for field in fields {
                    let level = comparison[field]
                    if level == MatchComparison.missing { continue }
                    ratio *= weights.m[field.rawValue][Int(level)] / weights.u[field.rawValue][Int(level)]
                }
                let probability = ratio.isInfinite ? 1 : ratio / (1 + ratio)
                let share = probability * Double(count)
                matchTotal += share
                for field in fields {
                    let level = comparison[field]
                    if level != MatchComparison.missing {
                        matchCounts[field.rawValue][Int(level)] += share
                        otherCounts[field.rawValue][Int(level)] += Double(count) - share
                    }
                }
            }
            var change = 0.0
            for field in fields {
                let index = field.rawValue
                let seen = matchCounts[index].reduce(0, +)
                let unrelated = otherCounts[index].reduce(0, +)
                for level in field.levels.indices {
                    let m = (matchCounts[index][level] + mStrength * start.m[index][level]) / (seen + mStrength)
                    let u = (otherCounts[index][level] + uStrength * randomU[index][level]) / (unrelated + uStrength)
                    change = max(change, abs(m - weights.m[index][level]), abs(u - weights.u[index][level]))
                    weights.m[index][level] = m
                    weights.u[index][level] = u
                }
            }
            let lambda = (matchTotal + lambdaStrength * start.lambda) / (total + lambdaStrength)
            change = max(change, abs(lambda - weights.lambda))
            weights.lambda = min(max(lambda, 1e-9), 1 - 1e-9)
            if change < 1e-6 { break }
        }
        return weights
    }

    /// Makes each field's weights non-increasing from its best level to its worst: where a worse level
    /// learned more weight than a better one (too few pairs to tell them apart), both get their pooled
    /// m and u.
    mutating func keepOrder() {
        for field in MatchField.allCases {
            let index = field.rawValue
            var changed = true
            while changed {
                changed = false
                for level in 0..<(field.levels.count - 1) {
                    let better = log2(m[index][level] / u[index][level])
                    let worse = log2(m[index][level + 1] / u[index][level + 1])
                    if worse > better + 1e-9 {
                        let (mSum, uSum) = (
                            m[index][level] + m[index][level + 1], u[index][level] + u[index][level + 1]
                        )
                        // Same ratio for both, masses kept.
                        m[index][level] = mSum * u[index][level] / uSum
                        m[index][level + 1] = mSum * u[index][level + 1] / uSum
                        changed = true
                    }
                }
            }
        }
    }
}
