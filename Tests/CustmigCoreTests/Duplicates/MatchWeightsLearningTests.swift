import Testing

@testable import CustmigCore

/// Learning the weights when the blocked pairs are mostly true matches: tight blocking (Febrl's data,
/// small blocks at a million customers) and pairs at one address make the match class the majority.
@Suite("Match weights learned from mostly matching pairs")
struct MatchWeightsLearningTests {
    static func comparison(_ levels: [MatchField: UInt8]) -> MatchComparison {
        var comparison = MatchComparison()
        for (field, level) in levels { comparison[field] = level }
        return comparison
    }

    /// The same person keyed twice: everything agrees.
    static let same = comparison([
        .firstName: 0, .lastName: 0, .birthDate: 0, .postalCode: 0, .street: 0, .houseNumber: 0, .country: 0,
    ])
    /// The same person, moved.
    static let moved = comparison([
        .firstName: 0, .lastName: 0, .birthDate: 0, .postalCode: 2, .street: 2, .houseNumber: 1, .city: 2, .country: 0,
    ])
    /// Another member of the household: same address and last name, another first name and birth date.
    static let household = comparison([
        .firstName: 3, .lastName: 0, .birthDate: 2, .postalCode: 0, .street: 0, .houseNumber: 0, .country: 0,
    ])
    /// Strangers who share a blocking key.
    static let strangers = comparison([
        .firstName: 3, .lastName: 1, .birthDate: 2, .postalCode: 2, .street: 2, .houseNumber: 1, .city: 2, .country: 0,
    ])

    @Test("nine blocked pairs in ten match: agreement still counts for a match, a household does not merge")
    func mostlyMatches() {
        let candidates = [Self.same: 800, Self.moved: 100, Self.household: 60, Self.strangers: 40]
        var random = [Self.strangers: 19_000]
        random[Self.comparison([.firstName: 3, .lastName: 3, .birthDate: 2, .postalCode: 2, .country: 0])] = 980
        random[Self.household] = 20
        let weights = MatchWeights.learn(candidates: candidates, random: random, allPairs: 20_000)
        let matcher = CustomerMatcher(weights: weights)
        let merge = CustomerMatcher.Settings().autoMerge
        // λ is the share of all pairs: the 900 matching ones out of 20,000.
        #expect(abs(weights.lambda * 20_000 - 900) < 50, "λ \(weights.lambda): 900 of 20,000 pairs match")
        #expect(matcher.total(Self.same) >= merge, "same person: \(matcher.total(Self.same))")
        #expect(matcher.total(Self.moved) >= merge, "moved person: \(matcher.total(Self.moved))")
        #expect(matcher.total(Self.household) < merge, "household: \(matcher.total(Self.household))")
        #expect(matcher.total(Self.strangers) < 0, "strangers: \(matcher.total(Self.strangers))")
        // Better agreement never weighs less: a shared first name counts for the match.
        #expect(weights.weight(.firstName, 0, atSameAddress: false) > 0)
        #expect(weights.weight(.birthDate, 0, atSameAddress: false) > 0)
    }
}

/// A customer who moved has another postal code, street, house number and city at once: one fact.
@Suite("A move counts once")
struct MovedAddressTests {
    @Test("another address weighs as one learned level, not four disagreements; a move plus a typo is still found")
    func movedCountsOnce() {
        typealias T = MatchWeightsLearningTests
        // One in four true matches moved; a few have a typo in the first name as well.
        let movedWithTypo = T.comparison([
            .firstName: 1, .lastName: 0, .postalCode: 2, .street: 2, .houseNumber: 1, .city: 2, .country: 0,
        ])
        let candidates = [T.same: 600, T.moved: 200, movedWithTypo: 30, T.household: 60, T.strangers: 4_000]
        var random = [T.strangers: 19_000]
        random[T.comparison([.firstName: 3, .lastName: 3, .birthDate: 2, .postalCode: 2, .country: 0])] = 980
        random[T.household] = 20
        let weights = MatchWeights.learn(candidates: candidates, random: random, allPairs: 200_000)
        let matcher = CustomerMatcher(weights: weights)
        let other = try! #require(weights.otherAddressWeight)
        #expect(other < 0, "another address is evidence against: \(other)")
        let names = [MatchField.firstName, .lastName, .birthDate].map { weights.weight($0, T.moved[$0]) }
        #expect(abs(matcher.total(T.moved) - (weights.prior + other + names.reduce(0, +))) < 1e-9)
        #expect(matcher.score(profile(), profile()).evidence.contains { $0.field == "address" } == true)
        let evidence = matcher.score(
            profile(postalCode: "1010", street: "Ring 1"), profile(postalCode: "8020", street: "Gasse 9")
        )
        .evidence
        #expect(evidence.contains(.init(field: "address", level: "other", weight: other)))
        #expect(!evidence.contains { $0.field == "postal_code" || $0.field == "street" || $0.field == "city" })
        #expect(matcher.total(movedWithTypo) >= CustomerMatcher.Settings().review, "\(matcher.total(movedWithTypo))")
        #expect(matcher.total(T.strangers) < 0, "strangers: \(matcher.total(T.strangers))")
    }

    private func profile(postalCode: String = "1010", street: String = "Ring 1") -> CustomerMatcher.Profile {
        var customer = CanonicalCustomer(key: "K", legacyKey: "1")
        customer.category = .person
        customer.firstName = "Anna"
        customer.lastName = "Berger"
        customer.addresses = [.legal(street: street, postalCode: postalCode, city: "Wien", country: "AT")]
        return CustomerMatcher.Profile(customer)
    }
}

/// What a level weighs is what it says about any two customers, not about two that already share a
/// blocking key; and a value made of the name says nothing the name has not said.
@Suite("Weights from random pairs, evidence counted once")
struct RandomPairWeightsTests {
    typealias T = MatchWeightsLearningTests
    /// Strangers that a blocking rule on the birth date brought together.
    static let sameBirthDate = T.comparison([
        .firstName: 3, .lastName: 3, .birthDate: 0, .postalCode: 2, .street: 2, .houseNumber: 1, .city: 2, .country: 0,
    ])
    /// Everyone else, as random pairs see them.
    static let unrelated = T.comparison([.firstName: 3, .lastName: 3, .birthDate: 2, .postalCode: 2, .country: 0])

    @Test("a birth-date blocking rule that brings thousands of strangers together does not devalue the birth date")
    func movedPersonMergesDespiteBirthDateBlock() {
        let candidates = [T.same: 500, T.moved: 120, Self.sameBirthDate: 8_000, T.strangers: 4_000, T.household: 60]
        // 20,000 customers: about one random pair in 10,000 shares a birth date.
        let random = [Self.unrelated: 199_960, Self.sameBirthDate: 20, T.household: 20]
        let weights = MatchWeights.learn(candidates: candidates, random: random, allPairs: 199_990_000)
        let matcher = CustomerMatcher(weights: weights)
        let merge = CustomerMatcher.Settings().autoMerge
        #expect(weights.weight(.birthDate, 0) > 10, "a shared birth date: \(weights.weight(.birthDate, 0)) bits")
        #expect(matcher.total(T.moved) >= merge, "same person after a move: \(matcher.total(T.moved))")
        #expect(
            matcher.total(Self.sameBirthDate) < 0, "strangers born the same day: \(matcher.total(Self.sameBirthDate))")
        #expect(matcher.total(T.household) < merge, "household: \(matcher.total(T.household))")
    }

    @Test("namesakes who share a name-made e-mail address do not merge on it; the same person does")
    func emailBetweenNamesakes() {
        var namesakes = T.comparison([
            .firstName: 0, .lastName: 0, .birthDate: 2, .postalCode: 2, .street: 2, .houseNumber: 1, .city: 2,
            .country: 0, .email: 0,
        ])
        var namesakesApart = namesakes
        namesakesApart[.email] = 1
        var same = T.same
        same[.email] = 0
        let candidates = [namesakes: 300, namesakesApart: 300, same: 500, T.moved: 100, T.strangers: 4_000]
        // Common names: one random pair in 125 shares the first name, one in 250 the last name.
        var random = [Self.unrelated: 197_570, T.household: 20]
        random[T.comparison([.firstName: 0, .lastName: 3, .birthDate: 2, .postalCode: 2, .country: 0])] = 1_600
        random[T.comparison([.firstName: 3, .lastName: 0, .birthDate: 2, .postalCode: 2, .country: 0])] = 800
        random[T.comparison([.firstName: 0, .lastName: 0, .birthDate: 2, .postalCode: 2, .country: 0])] = 10
        let weights = MatchWeights.learn(candidates: candidates, random: random, allPairs: 199_990_000)
        let matcher = CustomerMatcher(weights: weights)
        let shared = try! #require(weights.uAtSameName?[MatchField.email.rawValue])
        #expect(shared[0] > 0.2, "namesakes share an e-mail in about half the pairs: u \(shared[0])")
        #expect(weights.weight(.email, 0, atSameName: true) < weights.weight(.email, 0) - 5)
        #expect(matcher.total(namesakes) < CustomerMatcher.Settings().review, "namesakes: \(matcher.total(namesakes))")
        #expect(matcher.total(same) >= CustomerMatcher.Settings().autoMerge, "same person: \(matcher.total(same))")
        let evidence = matcher.score(
            profile(email: "anna.berger@example.com"), profile(email: "anna.berger@example.com"))
        let email = try! #require(evidence.evidence.first { $0.field == "email" })
        #expect(email.weight == weights.weight(.email, 0, atSameName: true), "the report shows what was counted")
        namesakes[.birthDate] = MatchComparison.missing
        #expect(matcher.total(namesakes) < CustomerMatcher.Settings().autoMerge)
    }

    @Test("branches of one firm that share its switchboard are not merged across towns; the same branch is")
    func phoneBetweenNamesakes() {
        let branches = T.comparison([
            .name: 0, .postalCode: 2, .street: 2, .houseNumber: 1, .city: 2, .country: 0, .phone: 0,
        ])
        let sameBranch = T.comparison([.name: 0, .postalCode: 0, .street: 0, .houseNumber: 0, .country: 0, .phone: 0])
        let strangers = T.comparison([.name: 3, .postalCode: 2, .street: 2, .houseNumber: 1, .country: 0, .phone: 1])
        let candidates = [branches: 400, sameBranch: 500, strangers: 20_000]
        // 20,000 customers: one random pair in 2,000 shares the name, one in 2,500 the postal code.
        var random = [strangers: 199_840]
        random[T.comparison([.name: 0, .postalCode: 2, .street: 2, .houseNumber: 1, .country: 0, .phone: 1])] = 100
        random[T.comparison([.name: 3, .postalCode: 0, .street: 2, .houseNumber: 1, .country: 0, .phone: 1])] = 60
        let weights = MatchWeights.learn(candidates: candidates, random: random, allPairs: 199_990_000)
        let matcher = CustomerMatcher(weights: weights)
        #expect(weights.weight(.phone, 0, atSameName: true) < weights.weight(.phone, 0) - 5)
        #expect(matcher.total(branches) < CustomerMatcher.Settings().review, "branches: \(matcher.total(branches))")
        #expect(matcher.total(sameBranch) >= CustomerMatcher.Settings().autoMerge, "same: \(matcher.total(sameBranch))")
    }

    @Test("two firms of one name a few doors apart do not merge on postal code and street; the same firm does")
    func sameStreetCountsOnce() {
        let neighbours = T.comparison([.name: 0, .postalCode: 0, .street: 0, .houseNumber: 1, .country: 0])
        let sameFirm = T.comparison([.name: 0, .postalCode: 0, .street: 0, .houseNumber: 0, .country: 0, .phone: 0])
        let movedFirm = T.comparison([
            .name: 0, .postalCode: 2, .street: 2, .houseNumber: 1, .city: 2, .country: 0, .phone: 0,
        ])
        let strangers = T.comparison([.name: 3, .postalCode: 2, .street: 2, .houseNumber: 1, .country: 0])
        let candidates = [sameFirm: 500, movedFirm: 100, neighbours: 200, strangers: 20_000]
        // A million customers: one random pair in 2,000 shares the name, one in 2,500 the postal code,
        // one in 10,000 the street too.
        var random = [strangers: 199_820]
        random[T.comparison([.name: 0, .postalCode: 2, .street: 2, .houseNumber: 1, .country: 0])] = 100
        random[T.comparison([.name: 3, .postalCode: 0, .street: 2, .houseNumber: 1, .country: 0])] = 60
        random[T.comparison([.name: 3, .postalCode: 0, .street: 0, .houseNumber: 1, .country: 0])] = 20
        let weights = MatchWeights.learn(candidates: candidates, random: random, allPairs: 5e11)
        let matcher = CustomerMatcher(weights: weights)
        #expect(
            matcher.total(neighbours) < CustomerMatcher.Settings().review, "neighbours: \(matcher.total(neighbours))")
        #expect(
            matcher.total(sameFirm) >= CustomerMatcher.Settings().autoMerge, "same firm: \(matcher.total(sameFirm))")
        let street = try! #require(weights.sameStreetWeight)
        #expect(
            abs(
                matcher.total(neighbours)
                    - (weights.prior + street + weights.weight(.name, 0) + weights.weight(.country, 0))) < 1e-9)
    }

    private func profile(email: String) -> CustomerMatcher.Profile {
        var customer = CanonicalCustomer(key: "K", legacyKey: "1")
        customer.category = .person
        customer.firstName = "Anna"
        customer.lastName = "Berger"
        var contact = Contact()
        contact.email = email
        customer.contacts = [contact]
        return CustomerMatcher.Profile(customer)
    }
}
