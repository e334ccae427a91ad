import Testing

@testable import CustmigCore

@Suite("Bounded sketches")
struct SketchTests {
    @Test("HyperLogLog estimates a million distinct values within 3%")
    func hyperLogLog() {
        var sketch = HyperLogLog()
        var other = HyperLogLog()
        for value in 0..<1_000_000 {
            var key = UInt64(value)
            let hash = withUnsafeBytes(of: &key) { ValueHash.hash($0.bindMemory(to: UInt8.self).baseAddress!, 8) }
            if value % 2 == 0 { sketch.insert(hash: hash) } else { other.insert(hash: hash) }
        }
        sketch.merge(other)
        #expect(abs(sketch.estimate - 1_000_000) < 30_000)
    }

    @Test("value fingerprints do not change: the same as a byte-by-byte tail, at every length and offset")
    func valueHashTail() {
        // The ledger's key fingerprints and the profile's counts depend on these values staying the same.
        func reference(_ bytes: ArraySlice<UInt8>) -> UInt64 {
            let bytes = Array(bytes)
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
            var index = 0
            while index + 8 <= bytes.count {
                var word: UInt64 = 0
                for offset in 0..<8 { word |= UInt64(bytes[index + offset]) << (UInt64(offset) * 8) }
                h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
                h = (h << 31) | (h >> 33)
                index += 8
            }
            if index < bytes.count {
                var tail: UInt64 = 0
                for offset in index..<bytes.count { tail |= UInt64(bytes[offset]) << (UInt64(offset - index) * 8) }
                h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
            }
            h ^= h >> 33
            h = h &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 33
            h = h &* 0xC4CE_B9FE_1A85_EC53
            return h ^ (h >> 33)
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes.withUnsafeBufferPointer { buffer in
            for start in 0..<8 {
                for length in 0...40 {
                    let slice = bytes[start..<start + length]
                    #expect(ValueHash.hash(buffer.baseAddress! + start, length) == reference(slice), "\(length) bytes")
                }
            }
        }
    }

    @Test("Space-Saving finds the heavy hitters of a long tail")
    func spaceSaving() {
        var top = SpaceSaving(capacity: 16)
        for round in 0..<2_000 {
            top.add(key: 1) { "frequent" }
            if round % 2 == 0 { top.add(key: 2) { "half" } }
            top.add(key: UInt64(1000 + round)) { "rare \(round)" }
        }
        let sorted = top.sorted
        #expect(sorted[0].value == "frequent")
        #expect(sorted[0].count >= 2_000)
        #expect(sorted[1].value == "half")
    }

    @Test("Space-Saving counts exactly while values fit, keeps values as given (cut at 200 bytes), and merges")
    func spaceSavingValues() {
        for capacity in [13, 64] {
            // Fewer distinct values than slots: every count is exact, every error 0, found by any heap position.
            var exact = SpaceSaving(capacity: capacity)
            for round in 0..<5_000 {
                let value = Array("Straße \(round % capacity)".utf8)
                value.withUnsafeBufferPointer {
                    exact.add(
                        key: UInt64(round % capacity) &* 0x9E37_79B9_7F4A_7C15, bytes: $0.baseAddress!, length: $0.count
                    )
                }
            }
            let items = exact.sorted
            #expect(items.count == capacity)
            let share = 5_000 / capacity
            #expect(items.allSatisfy { $0.error == 0 && ($0.count == share || $0.count == share + 1) })
            #expect(Set(items.map(\.value)) == Set((0..<capacity).map { "Straße \($0)" }))
            #expect(items.reduce(0) { $0 + $1.count } == 5_000)
        }
        // A long value is kept cut, as the report shows it; a merge keeps each side's values and counts.
        var left = SpaceSaving(capacity: 4)
        let long = Array(String(repeating: "ü", count: 150).utf8)
        long.withUnsafeBufferPointer { left.add(key: 7, count: 3, bytes: $0.baseAddress!, length: $0.count) }
        var right = SpaceSaving(capacity: 4)
        right.add(key: 7, count: 2) { "ignored: the key is known" }
        right.add(key: 9) { "Köln" }
        left.merge(right)
        let merged = left.sorted
        #expect(merged.map(\.count) == [5, 1])
        #expect(merged[0].value == String(repeating: "ü", count: 100))
        #expect(merged[1].value == "Köln")
    }

    @Test("the fingerprint table inserts, finds and grows")
    func fingerprintTable() {
        var table = FingerprintTable()
        for key in 1...10_000 { table.set(Int32(key), for: UInt64(key) &* 0x9E37_79B9_7F4A_7C15) }
        #expect(table.count == 10_000)
        #expect(table.value(for: 5 &* 0x9E37_79B9_7F4A_7C15) == 5)
        let zeroIsNew = table.insert(0)
        #expect(zeroIsNew)
        #expect(table.value(for: 0) == 0)
        #expect(table.count == 10_001)
        #expect(table.value(for: 7 &* 0x9E37_79B9_7F4A_7C15) == 7)
        #expect(table.value(for: 10_001 &* 0x9E37_79B9_7F4A_7C15) == nil)
    }

    @Test("a keys-only fingerprint table is a set: inserts, finds and grows")
    func fingerprintSet() {
        var set = FingerprintTable(keysOnly: true)
        var reference = Set<UInt64>()
        var generator = SystemRandomNumberGenerator()
        for round in 0..<50_000 {
            // Small keys collide in the low bits the table indexes by.
            let key = round % 3 == 0 ? UInt64(round % 5_000) : UInt64.random(in: 0...UInt64.max, using: &generator)
            let isNew = set.insert(key)
            #expect(isNew == reference.insert(key).inserted)
        }
        #expect(set.count == reference.count)
        for key in reference { #expect(set.contains(key)) }
        #expect(set.value(for: reference.first!) == 0)
        var keys = Set<UInt64>()
        set.forEachKey { keys.insert($0) }
        #expect(keys == reference)
    }

    @Test("the count table counts what it holds and nothing else, through growth, whatever the keys' top bits")
    func valueCountTable() {
        var table = ValueCountTable(capacity: 16)
        var counts: [UInt64: Int32] = [:]
        var generator = SystemRandomNumberGenerator()
        // Keys that differ only in their top bits (the bitmap's index) or only in their low bits (the
        // table's), key 0, and random keys; each is added once, then counted up a few times.
        let keys =
            (0..<64).map { UInt64($0) << 58 } + (1..<2_000).map { UInt64($0) } + [0]
            + (0..<20_000).map { _ in UInt64.random(in: 1...UInt64.max, using: &generator) }
        for (index, key) in keys.enumerated() where counts[key] == nil {
            let known = table.increment(key)
            #expect(!known, "key \(key) was never added")
            table.add(key, slot: Int32(index), count: 1)
            counts[key] = 1
            for _ in 0..<(index % 3) {
                let counted = table.increment(key)
                #expect(counted)
                counts[key]! += 1
            }
        }
        #expect(table.count == counts.count - 1)  // key 0 lives aside
        for (key, count) in counts {
            let counted = table.increment(key)
            #expect(counted, "key \(key) added before the table grew")
            #expect(table.entry(key)?.count == count + 1)
        }
        var absentFound = 0
        for _ in 0..<100_000 where table.increment(UInt64.random(in: 1...UInt64.max, using: &generator)) {
            absentFound += 1
        }
        #expect(absentFound == 0)
        #expect(table.all.count == counts.count)
    }

    @Test("a field's limits are the defaults up to 200 fields, and shrink with the width beyond")
    func fieldLimits() {
        let defaults = FieldStatistics.Limits()
        for count in [0, 1, 29, 200] {
            let limits = FieldStatistics.Limits.forFields(count)
            #expect(limits.cacheLimit == defaults.cacheLimit && limits.exactBound == defaults.exactBound)
        }
        var previous = FieldStatistics.Limits.forFields(201)
        #expect(previous.cacheLimit < defaults.cacheLimit)
        for count in [300, 600, 2_000, 10_000, 1_000_000] {
            let limits = FieldStatistics.Limits.forFields(count)
            #expect(limits.cacheLimit <= previous.cacheLimit && limits.exactBound <= previous.exactBound)
            // What all fields may keep stays near the budget (~160 MB per worker), floors aside.
            #expect(limits.cacheLimit == 256 || count * limits.cacheLimit * 120 <= 100 << 20)
            #expect(limits.cacheLimit >= 256 && limits.exactBound >= 4_096)
            previous = limits
        }
    }

    @Test("a field under small limits keeps 16 values and no exact set, yet counts distinct values exactly")
    func smallLimits() {
        let limits = FieldStatistics.Limits(cacheLimit: 16, exactBound: 4_096)
        var key = FieldStatistics(name: "ID", limits: limits)
        var city = FieldStatistics(name: "CITY", limits: limits)
        for row in 0..<20_000 {
            key.add("K\(row)")
            city.add("City \(row % 10_000)")  // 10,000 values, each twice: not a key
        }
        #expect(key.cache.count == 16 && city.cache.count == 16)
        #expect(key.exact == nil && city.exact == nil)
        let keyProfile = key.profile(records: 20_000, isPerRecord: true, mask: false, maskNames: [])
        #expect(keyProfile.distinct == 20_000 && !keyProfile.distinctIsEstimate && keyProfile.isCandidateKey)
        let cityProfile = city.profile(records: 20_000, isPerRecord: true, mask: false, maskNames: [])
        // Still key-like when the fingerprints are counted (under 65,536 values): exact, with its repeats.
        #expect(cityProfile.distinct == 10_000 && !cityProfile.distinctIsEstimate)
        #expect(cityProfile.duplicateValues == 10_000 && !cityProfile.isCandidateKey)
        // Past the 16 cached values the top values come from the sketch, and say so.
        #expect(cityProfile.topValues.first?.estimated == true)
    }

    @Test("two workers' statistics merged count each value's type and pattern once, as one worker does")
    func mergedCountsOnce() {
        let limits = FieldStatistics.Limits(cacheLimit: 16, exactBound: 4_096)
        var first = FieldStatistics(name: "ZIP", limits: limits)
        var second = FieldStatistics(name: "ZIP", limits: limits)
        var alone = FieldStatistics(name: "ZIP", limits: limits)
        // The first worker caches codes 10000-10015; the second caches 20000-20015 first, so that its many
        // 10000-10015 later go to its counters and its top-value sketch.
        var values: [(String, Bool)] = []
        for code in 0..<16 { values.append((String(10_000 + code), true)) }
        for code in 0..<16 { values.append((String(20_000 + code), false)) }
        for row in 0..<3_000 { values.append((String(10_000 + row % 16), false)) }
        for (value, toFirst) in values {
            if toFirst { first.add(value) } else { second.add(value) }
            alone.add(value)
        }
        first.merge(second)
        let merged = first.profile(records: values.count, isPerRecord: true, mask: false, maskNames: [])
        let single = alone.profile(records: values.count, isPerRecord: true, mask: false, maskNames: [])
        #expect(merged.present == values.count)
        #expect(merged.typeCounts == single.typeCounts)
        #expect(merged.typeCounts["integer"] == values.count)
        #expect(merged.patterns.map(\.count) == [values.count])
        // The shown counts still add both workers' occurrences: 10000 came once alone, then 188 times more.
        #expect(merged.topValues.first { $0.value == "10000" }?.count == 1 + 3_000 / 16 + 1)
    }

    @Test("XML paths found past the 200th lower every path's limits to a share of the budget, as CSV columns do")
    func widePathLimits() {
        let accumulator = XMLPathAccumulator(limit: 10_000, budget: KeyPrintBudget(workers: 1))
        func batch(paths: Range<Int>, rows: Range<Int>) -> XMLFieldBatch {
            let batch = XMLFieldBatch()
            for row in rows {
                for path in paths {
                    Array("v\(row)-\(path)".utf8).withUnsafeBufferPointer { batch.emit(path: path, bytes: $0) }
                }
            }
            return batch
        }
        // 50 paths fill their caches with the defaults; 550 more turn up later.
        accumulator.add(batch(paths: 0..<50, rows: 0..<8_500))
        #expect(accumulator.fields.count == 50)
        #expect(accumulator.fields.allSatisfy { $0.limits.cacheLimit == 8_192 && $0.cache.count == 8_192 })
        accumulator.add(batch(paths: 0..<600, rows: 8_500..<10_500))
        let wide = FieldStatistics.Limits.forFields(600)
        #expect(wide.cacheLimit < 8_192 && wide.exactBound < 65_536)
        #expect(
            accumulator.fields.allSatisfy {
                $0.limits.cacheLimit == wide.cacheLimit && $0.limits.exactBound == wide.exactBound
            })
        // The first paths keep what they cached but no more; the later ones stop at their share.
        #expect(accumulator.fields[0].cache.count == 8_192 && accumulator.fields[0].exact == nil)
        #expect(accumulator.fields[599].cache.count == wide.cacheLimit)
        // Counts stay exact: every value of path 0 is distinct, 10,500 of them.
        let profile = accumulator.fields[0].profile(records: 10_500, isPerRecord: true, mask: false, maskNames: [])
        #expect(profile.present == 10_500 && profile.distinct == 10_500 && !profile.distinctIsEstimate)
    }

    @Test("past the key-print budget the fields with the most fingerprints give theirs up, and say so")
    func keyPrintBudget() {
        // Four key-like fields with 300, 200, 200 and 50 distinct values; 600 fingerprints may stay.
        var fields = [300, 200, 200, 50].enumerated().map { index, count in
            var field = FieldStatistics(name: "F\(index)")
            for value in 0..<count { field.add("\(index)-\(value)") }
            return field
        }
        // Room for all but the largest list (lists are counted by capacity, what they hold in memory).
        let room = fields.dropFirst().reduce(0) { $0 + $1.keyPrintCapacity }
        #expect(fields[0].keyPrintCapacity > fields[1].keyPrintCapacity)
        let budget = KeyPrintBudget(workers: 2, totalPrints: 2 * room)
        #expect(budget.prints == room)
        budget.enforce(on: &fields)
        #expect(fields.map(\.keyCheckDropped) == [true, false, false, false])
        #expect(fields.map(\.keyPrintCount) == [0, 200, 200, 50])
        let kept = fields[1].profile(records: 200, isPerRecord: true, mask: false, maskNames: [])
        #expect(kept.distinct == 200 && kept.isCandidateKey && kept.duplicateValues == 0)
        // Under its exact bound a field stays exact without its list; past it, it is estimated and no key.
        let small = fields[0].profile(records: 300, isPerRecord: true, mask: false, maskNames: [])
        #expect(small.distinct == 300 && !small.distinctIsEstimate && small.isCandidateKey)
        var large = [FieldStatistics(name: "ID", limits: FieldStatistics.Limits(cacheLimit: 16, exactBound: 4_096))]
        for value in 0..<10_000 { large[0].add("K\(value)") }
        KeyPrintBudget(workers: 1, totalPrints: large[0].keyPrintCapacity - 1).enforce(on: &large)
        let estimated = large[0].profile(records: 10_000, isPerRecord: true, mask: false, maskNames: [])
        #expect(estimated.distinctIsEstimate && abs(estimated.distinct - 10_000) < 300)
        #expect(!estimated.isCandidateKey && estimated.duplicateValues == nil)
        // Equal lists: the first column goes first.
        var ties = [FieldStatistics(name: "A"), FieldStatistics(name: "B")]
        for index in ties.indices { for value in 0..<100 { ties[index].add("\(index)-\(value)") } }
        KeyPrintBudget(workers: 1, totalPrints: ties[1].keyPrintCapacity).enforce(on: &ties)
        #expect(ties.map(\.keyCheckDropped) == [true, false])
        // A warning names them.
        let warning = ExtractProfiler.keyCheckWarning(path: "wide.csv", fields: ["F0"])
        #expect(warning?.contains("wide.csv: 1 field(s) (F0) gave up their exact key check") == true)
        #expect(ExtractProfiler.keyCheckWarning(path: "wide.csv", fields: []) == nil)
    }

    @Test("a key column over several fingerprint blocks, merged from two workers, is a key; one repeat is found")
    func keyPrintBlocks() {
        let rows = 3 * KeyPrintList.blockSize + 123
        func worker(_ values: some Sequence<Int>) -> FieldStatistics {
            var field = FieldStatistics(name: "CUSTNO")
            for value in values { field.add("C\(value)") }
            return field
        }
        var first = worker(stride(from: 0, to: rows, by: 2))
        first.merge(worker(stride(from: 1, to: rows, by: 2)))
        #expect(first.keyPrintCount == rows)
        // Each worker: a first block grown to 65,536 and a second reserved whole; counted, not read from
        // the arrays, so that equal lists always weigh the same in the budget.
        #expect(first.keyPrintCapacity == 4 * KeyPrintList.blockSize)
        let key = first.profile(records: rows, isPerRecord: true, mask: false, maskNames: [])
        #expect(key.distinct == rows && !key.distinctIsEstimate && key.isCandidateKey && key.duplicateValues == 0)
        // The same value in the first block of one worker and the last of the other.
        var repeated = worker(0..<(2 * KeyPrintList.blockSize + 7))
        repeated.merge(worker([5] + Array((2 * KeyPrintList.blockSize + 7)..<rows)))
        let twice = repeated.profile(records: rows + 1, isPerRecord: true, mask: false, maskNames: [])
        #expect(twice.distinct == rows && twice.duplicateValues == 1 && !twice.isCandidateKey)
    }

    @Test("distinct fingerprints are counted exactly, whatever their spread")
    func distinctCounts() {
        var generator = SystemRandomNumberGenerator()
        for size in [0, 1, 2, 64, 65, 1_000, 100_000, 300_000] {
            // Uniform fingerprints with repeats, a handful of values, all equal, and values that differ
            // only in their low bits (one bucket for all).
            let uniform = (0..<size).map { _ in UInt64.random(in: 0...UInt64.max, using: &generator) }
            let repeated = uniform.prefix(size / 2) + uniform.prefix(size - size / 2)
            let few = (0..<size).map { _ in UInt64.random(in: 0..<7, using: &generator) << 60 }
            let same = [UInt64](repeating: 42, count: size)
            let low = (0..<size).map { _ in UInt64.random(in: 0..<1_000, using: &generator) }
            for values in [uniform, Array(repeated), few, same, low] {
                #expect(DistinctCount.of(values) == Set(values).count, "\(size) values")
                // In blocks of uneven sizes (some empty), as two workers' merged lists hold them.
                var blocks: [[UInt64]] = [[]]
                var rest = values[...]
                while !rest.isEmpty {
                    let take = Int.random(in: 0...max(1, rest.count / 3), using: &generator)
                    blocks.append(Array(rest.prefix(take)))
                    rest = rest.dropFirst(take)
                }
                #expect(DistinctCount.of(blocks: blocks) == Set(values).count, "\(size) values in blocks")
            }
        }
    }
}
