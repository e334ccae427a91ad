import Testing

@testable import CustmigCore

@Suite("Blocking: every candidate pair scored exactly once")
struct BlockingTests {
    /// Customers from a tiny vocabulary, so that they share many blocks and some blocks grow large.
    static func customers(count: Int, seed: UInt64) -> [CanonicalCustomer] {
        var random = SampleRandom(seed: seed)
        let names = [
            "Müller Bau GmbH", "Mueller Bau", "Schmidt Logistik AG", "Schmitt Logistik", "Weber & Söhne KG",
            "Weber Söhne",
        ]
        let cities = ["Berlin", "Köln", "Leipzig"]
        let streets = ["Hauptstraße 1", "Hauptstr. 1", "Ringweg 4"]
        return (0..<count).map { index in
            var customer = CanonicalCustomer(key: String(format: "%06d", index), legacyKey: "L\(index)")
            customer.names = [names[random.below(names.count)]]
            if random.chance(0.5) { customer.vatId = "DE10000000\(random.below(4))" }
            var address = Address()
            address.city = cities[random.below(cities.count)]
            address.postalCode = ["10115", "50667", "04109"][random.below(3)]
            address.country = random.chance(0.9) ? "DE" : "AT"
            address.street = streets[random.below(streets.count)]
            customer.addresses = [address]
            if random.chance(0.3) {
                var contact = Contact()
                contact.phone = "+4930\(random.below(5))"
                contact.email = "info\(random.below(3))@example.com"
                customer.contacts = [contact]
            }
            return customer
        }
    }

    /// The plain way: a dictionary of blocks and a set of pairs (large blocks windowed in name order).
    static func referencePairs(_ profiles: [CustomerMatcher.Profile], maxBlock: Int, window: Int) -> Set<Int64> {
        var blocks: [String: [Int]] = [:]
        for (index, profile) in profiles.enumerated() {
            for key in CustomerMatcher.blockingKeys(profile) { blocks[key, default: []].append(index) }
        }
        var pairs = Set<Int64>()
        for members in blocks.values where members.count > 1 {
            let large = members.count > maxBlock
            let ordered =
                large
                ? members.sorted {
                    let (a, b) = (Array(profiles[$0].name.utf8), Array(profiles[$1].name.utf8))
                    return a != b ? a.lexicographicallyPrecedes(b) : $0 < $1
                }
                : members
            for (position, i) in ordered.enumerated() {
                for j in ordered[(position + 1)..<(large ? min(ordered.count, position + window) : ordered.count)]
                where i != j {
                    pairs.insert(Int64(min(i, j)) << 32 | Int64(max(i, j)))
                }
            }
        }
        return pairs
    }

    @Test("sorting on every core gives sort's order, ties kept in the given order", arguments: [0, 1, 300, 70_000])
    func parallelSort(count: Int) async {
        var random = SampleRandom(seed: UInt64(count))
        // Few distinct keys, so that buckets are uneven and ties are many.
        let values = (0..<count).map { index in (key: UInt64(random.below(500)) << 54, index: index) }
        // In uneven parts, some empty, as the blocking hands them over.
        let cuts = [0, count / 7, count / 7, count / 2, count]
        let parts = (0..<4).map { Array(values[cuts[$0]..<cuts[$0 + 1]]) }
        let sorted = await ParallelSort.sorted(parts, bucket: { Int($0.key >> 56) }, by: { $0.key < $1.key })
        #expect(
            sorted.map(\.index)
                == values.sorted { $0.key != $1.key ? $0.key < $1.key : $0.index < $1.index }.map(\.index))
    }

    @Test("names in UTF-8 byte order, compared in place")
    func nameByteOrder() {
        let names = ["", "a", "ab", "b", "müller", "mueller", "zz", "Ω", "ab\u{0}", "東京"]
        for a in names {
            for b in names {
                let expected =
                    Array(a.utf8) == Array(b.utf8) ? 0 : Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) ? -1 : 1
                #expect(Blocks.byteOrder(a, b).signum() == expected, "\(a) \(b)")
            }
        }
    }

    @Test(
        "the same pairs, scores and count as a set of all pairs, with small and windowed large blocks",
        arguments: [3, 40, 200])
    func sameAsReference(maxBlock: Int) async {
        let customers = Self.customers(count: 600, seed: UInt64(maxBlock))
        let profiles = customers.map(CustomerMatcher.Profile.init)
        var finder = DuplicateFinder()
        finder.maxBlock = maxBlock
        // Blocking is under test, not learning: the built-in weights, so that some pairs score high.
        finder.learnWeights = false
        let result = await finder.find(profiles: profiles)
        let expected = Self.referencePairs(profiles, maxBlock: maxBlock, window: finder.window)
        #expect(result.compared == expected.count)
        var merged = Set<String>()
        var review = Set<String>()
        // Scored with the weights the run learned from these customers.
        let matcher = CustomerMatcher(settings: finder.matcher.settings, weights: result.weights)
        for pair in expected {
            let (a, b) = (profiles[Int(pair >> 32)], profiles[Int(pair & 0xFFFF_FFFF)])
            let score = matcher.score(a, b).total
            if score >= matcher.settings.autoMerge {
                merged.insert(a.key + "|" + b.key)
            } else if score >= matcher.settings.review {
                review.insert(a.key + "|" + b.key)
            }
        }
        #expect(Set(result.merged.map { $0.first + "|" + $0.second }) == merged)
        #expect(Set(result.review.map { $0.first + "|" + $0.second }) == review)
        #expect(result.merged.count == merged.count)
        #expect(!(merged.isEmpty && review.isEmpty) && expected.count > 1_000)
    }
}
