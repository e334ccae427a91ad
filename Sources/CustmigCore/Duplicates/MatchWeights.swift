import Foundation

/// Fellegi-Sunter weights: for each field and agreement level, `m` (how often true matches agree at
/// that level) and `u` (how often unrelated customers do). A level's weight is log2(m/u) bits; a pair's
/// match weight is the sum over its fields plus the prior log2(λ/(1-λ)), λ being the share of all pairs
/// of customers that match; its match probability is 2^w / (1 + 2^w).
///
/// ``learn(candidates:random:allPairs:sampleStride:pins:start:)`` estimates them from the data itself,
/// as Splink does: `u` from random pairs (nearly all unrelated), `m` by expectation maximisation over
/// blocked pairs in sessions that hold one group of fields fixed, then λ. All are shrunk towards
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
    /// `u` among unrelated pairs at the same address, for the fields outside the address: a household
    /// shares its last name and landline, a building of firms its switchboard, so at one address such
    /// agreement is far weaker evidence than between random customers (nil: not learned).
    public var uAtSameAddress: [[Double]]?
    /// `u` among unrelated pairs with the same name, for the contact fields (``contactFields``):
    /// e-mail addresses are made of names (`anna.meier@…`), and the branches of one firm share its
    /// switchboard and `info@`, so two namesakes share them far more often than two random customers
    /// do, and a contact must not count again what the name already said (nil: not learned).
    public var uAtSameName: [[Double]]?
    /// [m, u] of the address as a whole agreeing (``atSameAddress(_:)``): postal code, street, house
    /// number, city and country say one fact there, so they count once (nil: each field counts).
    public var sameAddress: [Double]?
    /// [m, u] of the address as a whole differing (``atOtherAddress(_:)``): a customer who moved has a
    /// new postal code, street, house number and city at once, one fact that counted four times (nil:
    /// each field counts).
    public var otherAddress: [Double]?
    /// [m, u] of the same street at another house number (``atSameStreet(_:)``): for a true match a
    /// typo or a move next door, rare; between unrelated customers, neighbours. Counted once, the postal
    /// code and street agreeing would otherwise weigh as two independent coincidences and a different
    /// house number almost nothing (its m learned mostly from moves) (nil: each field counts).
    public var sameStreet: [Double]?
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
    public func weight(
        _ field: MatchField, _ level: UInt8, atSameAddress: Bool = false, atSameName: Bool = false
    ) -> Double {
        let name = field.levels[Int(level)]
        if let pin = pinned["\(field.label).\(name)"] { return pin }
        var u =
            atSameAddress ? (uAtSameAddress ?? self.u)[field.rawValue][Int(level)] : self.u[field.rawValue][Int(level)]
        if atSameName, Self.contactFields.contains(field), let conditional = uAtSameName?[field.rawValue] {
            // The weaker evidence of the two conditions.
            u = level == 0 ? max(u, conditional[0]) : min(u, conditional[Int(level)])
        }
        return log2(m[field.rawValue][Int(level)] / u)
    }

    /// The fields weighed against unrelated namesakes when the names agree (``uAtSameName``).
    static let contactFields: [MatchField] = [.phone, .email]

    /// Whether a pair's names agree exactly: a person's first and last name, or an organisation's name.
    public static func atSameName(_ comparison: MatchComparison) -> Bool {
        (comparison[.firstName] == 0 && comparison[.lastName] == 0) || comparison[.name] == 0
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

    /// Whether a pair's address is the same street at another house number: the same postal code, the
    /// street agreeing (or close), the house number different.
    public static func atSameStreet(_ comparison: MatchComparison) -> Bool {
        comparison[.postalCode] == 0 && (comparison[.street] == 0 || comparison[.street] == 1)
            && comparison[.houseNumber] == 1
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

    /// The weight of the same street at another house number, in bits (nil: each field counts).
    public var sameStreetWeight: Double? {
        if let pin = pinned["address.same_street"] { return pin }
        return sameStreet.map { log2($0[0] / $0[1]) }
    }

    /// The weight the address as a whole carries for a comparison, when it counts once (same address,
    /// same street, other address), else nil: its fields count one by one.
    public func wholeAddressWeight(_ comparison: MatchComparison) -> Double? {
        if Self.atSameAddress(comparison) { return sameAddressWeight }
        if Self.atSameStreet(comparison) { return sameStreetWeight }
        if Self.atOtherAddress(comparison) { return otherAddressWeight }
        return nil
    }

    /// The likelihood ratio m/u of a comparison (the prior not included).
    func ratio(_ comparison: MatchComparison) -> Double {
        let together = Self.atSameAddress(comparison)
        let namesakes = Self.atSameName(comparison)
        let whole = wholeAddressWeight(comparison)
        var ratio = whole.map(exp2) ?? 1.0
        for field in MatchField.allCases where comparison[field] != MatchComparison.missing {
            if whole != nil && Self.addressFields.contains(field) { continue }
            ratio *= exp2(weight(field, comparison[field], atSameAddress: together, atSameName: namesakes))
        }
        return ratio
    }

    /// log2(λ / (1 - λ)): where a pair stands before any field is compared.
    public var prior: Double { log2(lambda / (1 - lambda)) }

    public static func probability(_ matchWeight: Double) -> Double { 1 / (1 + exp2(-matchWeight)) }

    /// The match weight a probability stands for (thresholds are given either way).
    public static func matchWeight(probability: Double) -> Double { log2(probability / (1 - probability)) }

    // MARK: Learning

    /// Learns from comparisons counted over blocked pairs (`candidates`, a sample of one in
    /// `sampleStride` when there are many) and random pairs (`random`), out of `allPairs` pairs of
    /// customers.
    ///
    /// As Splink does: `u` from random pairs, so that a level weighs what it says about any two
    /// customers, not about two that already share a blocking key (measured within blocks, a shared
    /// birth date weighed 3 bits, since a blocking rule on the birth date makes thousands of unrelated
    /// pairs agree on it, and the same first name, last name and birth date after a move did not merge).
    /// `m` is estimated in sessions that each hold one group of fields fixed, so that a group shared by
    /// unrelated customers cannot pass for identity: among pairs at the *same address*, EM over names,
    /// birth date, identifiers and contacts (a household, or a building of firms, then looks like what it
    /// is: different people, and `u` at one address is learned there); among pairs with the *same name*,
    /// how often unrelated namesakes share a phone or an e-mail; among pairs of the *same identity* (a shared
    /// identifier, or the same first name, last name and birth date), how often a true match still
    /// agrees on its address (people move). Then λ, the share of all pairs that match, by EM over the
    /// compared pairs with `m` and `u` held. With too few pairs at one address (no postal codes), the
    /// names' `m` comes from one EM over all blocked pairs.
    public static func learn(
        candidates: [MatchComparison: Int], random: [MatchComparison: Int], allPairs: Double,
        sampleStride: Double = 1, pins: [String: Double] = [:], start: MatchWeights = .defaults
    ) -> MatchWeights {
        var weights = start
        weights.pinned = pins
        let fields = MatchField.allCases
        // u: level frequencies among random pairs, shrunk towards the defaults.
        for field in fields {
            weights.u[field.rawValue] = shrunkFrequencies(
                field, in: random, towards: start.u[field.rawValue], strength: uStrength)
        }
        let randomTotal = random.values.reduce(0, +)
        let total = candidates.values.reduce(0, +)
        var iterations = 0
        if total > 0 {
            // Session 1: the same address; its fields masked, EM over the rest.
            let address = addressFields
            let sameAddress = sessionPairs(candidates, where: atSameAddress, masking: address)
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
            // Session 3: the same name; how often unrelated namesakes share a phone or an e-mail.
            let sameName = sessionPairs(candidates, where: atSameName, masking: [.name, .firstName, .lastName])
            if sameName.values.reduce(0, +) >= 30 {
                var ignored = 0
                let session = expectationMaximisation(sameName, u: weights.u, start: start, iterations: &ignored)
                weights.uAtSameName = session.u
            }
            // Session 2: the same identity; how often its address still agrees, field by field and as a
            // whole (against random pairs at one address).
            if useSession {
                var (together, nextDoor, apart, identities) = (0.0, 0.0, 0.0, 0.0)
                for (comparison, count) in inFixedOrder(candidates)
                where comparison[.postalCode] != MatchComparison.missing && Self.sameIdentity(comparison) {
                    identities += Double(count)
                    if atSameAddress(comparison) { together += Double(count) }
                    if atSameStreet(comparison) { nextDoor += Double(count) }
                    if atOtherAddress(comparison) { apart += Double(count) }
                }
                var (randomTogether, randomNextDoor, randomApart, randomSeen) = (0.0, 0.0, 0.0, 0.0)
                for (comparison, count) in inFixedOrder(random) where comparison[.postalCode] != MatchComparison.missing
                {
                    randomSeen += Double(count)
                    if atSameAddress(comparison) { randomTogether += Double(count) }
                    if atSameStreet(comparison) { randomNextDoor += Double(count) }
                    if atOtherAddress(comparison) { randomApart += Double(count) }
                }
                weights.sameStreet = [
                    (nextDoor + mStrength * 0.02) / (identities + mStrength),
                    (randomNextDoor + uStrength * 1e-5) / (randomSeen + uStrength),
                ]
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
            // λ among all pairs of customers, m and u held: the compared pairs are where the matches are
            // (blocking catches nearly all of them), every pair never compared counts as unrelated.
            weights.keepOrder()
            weights.lambda = matchShare(
                of: candidates, weights: weights, allPairs: max(allPairs, Double(total) * sampleStride),
                sampleStride: sampleStride)
        }
        weights.keepOrder()
        weights.learnedFrom = LearnedFrom(candidatePairs: total, randomPairs: randomTotal, iterations: iterations)
        return weights
    }

    /// The `candidates` that pass `include`, with the fields the session holds fixed made missing (they
    /// say nothing within it).
    static func sessionPairs(
        _ candidates: [MatchComparison: Int], where include: (MatchComparison) -> Bool, masking fields: [MatchField]
    ) -> [MatchComparison: Int] {
        var result: [MatchComparison: Int] = [:]
        for (comparison, count) in candidates where include(comparison) {
            var masked = comparison
            for field in fields { masked[field] = MatchComparison.missing }
            result[masked, default: 0] += count
        }
        return result
    }

    /// λ, the share of all `allPairs` pairs that match: the expected matches among the compared pairs
    /// under λ, until it settles (it only falls from its start, all compared pairs matching, to the one
    /// fixed point).
    static func matchShare(
        of candidates: [MatchComparison: Int], weights: MatchWeights, allPairs: Double, sampleStride: Double
    ) -> Double {
        let patterns = inFixedOrder(candidates).map { (ratio: weights.ratio($0.key), count: Double($0.value)) }
        let compared = patterns.reduce(0) { $0 + $1.count } * sampleStride
        guard compared > 0, allPairs > 0 else { return weights.lambda }
        var lambda = min(0.5, compared / allPairs)
        for _ in 0..<500 {
            let odds = lambda / (1 - lambda)
            var matches = 0.0
            for (ratio, count) in patterns {
                let match = ratio * odds
                matches += (match.isInfinite ? 1 : match / (1 + match)) * count
            }
            let next = min(max(matches * sampleStride / allPairs, 1 / allPairs), 0.5)
            let change = abs(next - lambda) / lambda
            lambda = next
            if change < 1e-7 { break }
        }
        return lambda
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
