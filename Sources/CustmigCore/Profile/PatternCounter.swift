/// Counts shape patterns exactly while they are few (as they are in most fields), and in a bounded
/// Space-Saving sketch beyond ``exactLimit`` distinct patterns.
struct PatternCounter {
    static let exactLimit = 1024

    struct Entry {
        var key: UInt64
        var text: String
        var count: Int
    }

    private var index = FingerprintTable()
    private(set) var exact: [Entry] = []
    private(set) var overflow = SpaceSaving(capacity: 64)

    @inline(__always)
    mutating func add(_ pattern: ShapePattern, times: Int = 1) {
        add(key: pattern.hash, times: times) { pattern.text }
    }

    @inline(__always)
    private mutating func add(key: UInt64, times: Int, text: () -> String) {
        if let slot = index.value(for: key) {
            exact[Int(slot)].count += times
        } else if exact.count < PatternCounter.exactLimit {
            index.set(Int32(exact.count), for: key)
            exact.append(Entry(key: key, text: text(), count: times))
        } else {
            overflow.add(key: key, count: times, value: text)
        }
    }

    mutating func merge(_ other: PatternCounter) {
        for entry in other.exact { add(key: entry.key, times: entry.count) { entry.text } }
        overflow.merge(other.overflow)
    }

    /// Patterns with counts (counts from the sketch are upper bounds).
    func all() -> [(String, Int)] {
        var totals: [String: Int] = [:]
        for entry in exact { totals[entry.text, default: 0] += entry.count }
        for item in overflow.heap { totals[item.value, default: 0] += item.count }
        return totals.map { ($0.key, $0.value) }
    }
}
