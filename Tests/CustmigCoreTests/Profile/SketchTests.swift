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

    @Test("the fingerprint table inserts, finds, grows and removes")
    func fingerprintTable() {
        var table = FingerprintTable()
        for key in 1...10_000 { table.set(Int32(key), for: UInt64(key) &* 0x9E37_79B9_7F4A_7C15) }
        #expect(table.count == 10_000)
        #expect(table.value(for: 5 &* 0x9E37_79B9_7F4A_7C15) == 5)
        let zeroIsNew = table.insert(0)
        #expect(zeroIsNew)
        #expect(table.value(for: 0) == 0)
        #expect(table.count == 10_001)
        table.remove(0)
        for key in stride(from: 2, through: 10_000, by: 2) { table.remove(UInt64(key) &* 0x9E37_79B9_7F4A_7C15) }
        #expect(table.count == 5_000)
        #expect(table.value(for: 7 &* 0x9E37_79B9_7F4A_7C15) == 7)
        #expect(table.value(for: 8 &* 0x9E37_79B9_7F4A_7C15) == nil)
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
            }
        }
    }
}
