import Foundation
import Testing

@testable import CustmigCore

/// The dry run checks and counts a new customer's image by column position instead of by path; every
/// figure it takes from it must be what the path dictionary of the same record gives, or plans,
/// approvals and reports would change with the way the image was held.
@Suite("A new customer's image by position")
struct NewCustomerImageTests {
    /// A random customer without the separator bytes only the path dictionary holds; sometimes without
    /// its legal address (the country then comes from the first address by path).
    static func customer(_ round: Int, using generator: inout some RandomNumberGenerator) -> CanonicalCustomer {
        var customer = CanonicalCustomer.decode(
            json: CanonicalRecordDecodingTests.random(round, using: &generator).jsonText
                .replacingOccurrences(of: "\\u001f", with: "?").replacingOccurrences(of: "\\u001e", with: "?"))!
        if round % 3 == 0 { customer.addresses.removeAll { $0.kind == .legal } }
        if round % 4 == 1 { customer.creditLimit = "\(Int.random(in: -99...99_999, using: &generator)).5" }
        if round % 5 == 0 {
            // Addresses whose ids sort differently from their paths (`legal-1]` against `legal-10`).
            customer.addresses += (0..<10).map { _ in
                var address = Address(kind: .shipTo)
                address.country = ["DE", "FR", "AT"].randomElement(using: &generator)
                return address
            }
        }
        return customer
    }

    static func resolve(_ legacy: String) -> String? { legacy.hashValue % 3 == 0 ? nil : "T-" + legacy }

    @Test("fingerprint, field-level size, control totals, filled fields and rows equal the path dictionary's")
    func sameFigures() throws {
        var generator = SystemRandomNumberGenerator()
        var compared = 0
        var byPaths = FieldTally()
        var byPosition = FieldTally()
        for round in 0..<600 {
            let customer = Self.customer(round, using: &generator)
            var unresolvedPaths: [String] = []
            let image = CustomerImage(
                customer, externalId: customer.key, resolve: Self.resolve(_:), unresolved: &unresolvedPaths)
            var unresolved: [String] = []
            guard
                let new = NewCustomerImage(
                    customer, externalId: customer.key, resolve: Self.resolve(_:), unresolved: &unresolved)
            else {
                Issue.record("no image by position for \(customer.jsonText)")
                continue
            }
            compared += 1
            #expect(unresolved == unresolvedPaths)
            #expect(new.image == image, "the image made from the record when asked for")
            #expect(new.fingerprint == image.fingerprint)
            #expect(new.fieldSize == image.fieldSize, "\(image.values)")
            var totals = ControlTotals()
            totals.add(image)
            var newTotals = ControlTotals()
            new.addTotals(to: &newTotals)
            #expect(newTotals == totals, "\(image.values)")
            #expect(byPosition.add(new) == byPaths.add(image))
            let rehearsal = new.preparedForRehearsal
            #expect(rehearsal.bound == DirectImage.bound(image: image))
            #expect(rehearsal.fingerprint == image.fingerprint)
            #expect(rehearsal.loadedText == DirectImage.read(image: image)?.loadedText)
            for (legacy, id) in new.resolved { #expect(Self.resolve(legacy) == id) }
        }
        #expect(compared == 600)
        #expect(byPosition.byName == byPaths.byName)
        #expect(byPosition.byName["addresses.country"] ?? 0 > 0)
        #expect(byPosition.byName["credit_limit"] ?? 0 > 100)
    }

    @Test("the first value not in its code list, and its message, are the path dictionary's")
    func sameCodeProblem() {
        var generator = SystemRandomNumberGenerator()
        var problems = 0
        for round in 0..<400 {
            let customer = Self.customer(round, using: &generator)
            var unresolved: [String] = []
            let image = CustomerImage(
                customer, externalId: customer.key, resolve: Self.resolve(_:), unresolved: &unresolved)
            let new = NewCustomerImage(
                customer, externalId: customer.key, resolve: Self.resolve(_:), unresolved: &unresolved)!
            // Code lists holding a random part of the image's values, with or without languages.
            var codes = CodeLists()
            let entry = CodeLists.Entry(description: "", detail: "")
            for (path, value) in image.values where Int.random(in: 0..<4, using: &generator) != 0 {
                for kind in TargetSchema.codeKinds.map(\.name) where path.hasSuffix(kind) || kind == "country" {
                    codes.entries[kind, default: [:]][value] = entry
                }
            }
            if round % 2 == 0 { codes.entries["language"] = [:] }
            var kinds = PathShapeCache<String?>()
            let expected = Planner.codeProblem(in: image, before: nil, codes: codes, kinds: &kinds)
            #expect(new.codeProblem(codes: codes) == expected, "\(image.values)")
            if expected != nil { problems += 1 }
        }
        #expect(problems > 50)
        #expect(problems < 400)
    }

    @Test("a value with a separator byte is left to the path dictionary")
    func separatorFallsBack() {
        var customer = CanonicalCustomer(key: "K1", legacyKey: "L1")
        customer.names = ["A\u{1F}B"]
        var unresolved: [String] = []
        #expect(
            NewCustomerImage(customer, externalId: "K1", resolve: { _ in nil }, unresolved: &unresolved) == nil)
    }
}
