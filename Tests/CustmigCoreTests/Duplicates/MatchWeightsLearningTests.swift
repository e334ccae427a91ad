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
        let weights = MatchWeights.learn(candidates: candidates, random: random)
        let matcher = CustomerMatcher(weights: weights)
        let merge = CustomerMatcher.Settings().autoMerge
        #expect(weights.lambda > 0.5, "λ \(weights.lambda): most compared pairs match")
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
        let weights = MatchWeights.learn(candidates: candidates, random: random)
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
