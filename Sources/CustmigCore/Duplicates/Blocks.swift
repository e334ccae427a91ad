import Foundation

/// Customers grouped by blocking key, so that a pair is scored once without a set of every pair.
///
/// A block is a run of equal key fingerprints in one sorted array of (fingerprint, customer): sixteen
/// bytes per key instead of a dictionary of strings and arrays (a million customers have about five
/// million keys). Two keys sharing a fingerprint only add pairs to score. A pair of customers sharing
/// several blocks is scored in the first small block they share (each customer keeps its small
/// blocks' fingerprints in ascending order), so the forty million pairs of a million customers are
/// never held in memory.
struct Blocks {
    typealias Entry = (block: UInt64, member: Int32, rule: UInt8)
    /// (fingerprint, customer index, rule), sorted by fingerprint then customer.
    let entries: [Entry]
    /// Blocks of two customers or more, as ranges of `entries`.
    let runs: [Range<Int>]
    /// Customers without any blocking key.
    let unblocked: [Int]
    let maxBlock: Int
    /// Each member of a larger block is compared with the next `window - 1` members in name order.
    let window: Int
    /// Blocks and proposed pairs per rule.
    let report: BlockingReport
    /// Each customer's small blocks (two to `maxBlock` members), ascending: `smallBlocks[offsets[i]..<offsets[i+1]]`.
    private let offsets: [Int32]
    private let smallBlocks: [UInt64]

    init(_ profiles: [CustomerMatcher.Profile], maxBlock: Int, window: Int) async {
        self.maxBlock = maxBlock
        self.window = window
        // Keys on every core, a slice of customers each (a third of blocking a million customers was
        // making their keys on one core).
        let slice = max(1_024, profiles.count / 256)
        let parts = await ParallelWork.map(0..<(profiles.count + slice - 1) / slice) {
            piece -> (entries: [Entry], unblocked: [Int]) in
            var entries: [Entry] = []
            var unblocked: [Int] = []
            for index in (piece * slice)..<min(profiles.count, (piece + 1) * slice) {
                let keys = BlockingRule.keys(profiles[index])
                if keys.isEmpty { unblocked.append(index) }
                for (rule, key) in keys {
                    entries.append((Self.fingerprint("\(rule.rawValue)|\(key)"), Int32(index), UInt8(rule.rawValue)))
                }
            }
            return (entries, unblocked)
        }
        // Five million entries took two seconds to sort on one core.
        let entries = await ParallelSort.sorted(parts.map(\.entries), bucket: { Int($0.block >> 56) }) {
            $0.block != $1.block ? $0.block < $1.block : $0.member < $1.member
        }
        let unblocked = parts.flatMap(\.unblocked)
        var runs: [Range<Int>] = []
        var start = 0
        while start < entries.count {
            var end = start + 1
            while end < entries.count && entries[end].block == entries[start].block { end += 1 }
            if end - start > 1 { runs.append(start..<end) }
            start = end
        }
        var counts = [Int32](repeating: 0, count: profiles.count + 1)
        for run in runs where run.count <= maxBlock {
            for index in run { counts[Int(entries[index].member) + 1] += 1 }
        }
        for index in 1..<counts.count { counts[index] += counts[index - 1] }
        var next = counts
        var smallBlocks = [UInt64](repeating: 0, count: Int(counts[profiles.count]))
        for run in runs where run.count <= maxBlock {
            for index in run {
                let member = Int(entries[index].member)
                smallBlocks[Int(next[member])] = entries[index].block
                next[member] += 1
            }
        }
        var report = BlockingReport()
        var stats = BlockingRule.allCases.map { BlockingReport.Rule(rule: $0.label, blocks: 0, pairs: 0) }
        for run in runs {
            let rule = Int(entries[run.lowerBound].rule)
            stats[rule].blocks += 1
            stats[rule].pairs += run.count <= maxBlock ? run.count * (run.count - 1) / 2 : run.count * (window - 1)
        }
        report.rules = stats
        self.report = report
        self.entries = entries
        self.runs = runs
        self.unblocked = unblocked
        offsets = counts
        self.smallBlocks = smallBlocks
    }

    /// Two names in UTF-8 byte order (negative, 0, positive), compared in place: a large block's
    /// names mostly share their first letters, and comparing them as strings (or through their UTF-8
    /// views) was the most of blocking a million customers.
    static func byteOrder(_ a: String, _ b: String) -> Int {
        let order = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Int in
                let common = min(x.count, y.count)
                let head = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return head != 0 ? Int(head) : x.count - y.count
            }
        }
        if let order = order ?? nil { return order }
        return a.utf8.elementsEqual(b.utf8) ? 0 : a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
    }

    static func fingerprint(_ key: String) -> UInt64 {
        ValueHash.hash(key)
    }

    /// The smallest small block two customers share, or nil.
    func firstSharedSmallBlock(_ a: Int, _ b: Int) -> UInt64? {
        var x = Int(offsets[a])
        var y = Int(offsets[b])
        let (endX, endY) = (Int(offsets[a + 1]), Int(offsets[b + 1]))
        while x < endX && y < endY {
            let (p, q) = (smallBlocks[x], smallBlocks[y])
            if p == q { return p }
            if p < q { x += 1 } else { y += 1 }
        }
        return nil
    }

    /// Calls `body` for each pair (low, high) of a small block that is scored there: the first small
    /// block both customers share.
    func forEachPair(inSmall run: Range<Int>, _ body: (Int, Int) -> Void) {
        let block = entries[run.lowerBound].block
        for first in run {
            let i = Int(entries[first].member)
            for second in (first + 1)..<run.upperBound {
                let j = Int(entries[second].member)
                if i != j && firstSharedSmallBlock(i, j) == block { body(i, j) }
            }
        }
    }

    /// Pairs from blocks larger than `maxBlock` (a common name in a big city), compared only within a
    /// window in name order, without the pairs a small block already scores; sorted, unique.
    func largeBlockPairs(_ profiles: [CustomerMatcher.Profile]) async -> [Int64] {
        let large = runs.filter { $0.count > maxBlock }
        // Each large block on its own core (sorting their members by name took seconds on one).
        let windows = await ParallelWork.map(large.indices) { [self] index -> [Int64] in
            var pairs: [Int64] = []
            let members = entries[large[index]].map { Int($0.member) }.sorted { a, b in
                let order = Self.byteOrder(profiles[a].name, profiles[b].name)
                return order != 0 ? order < 0 : a < b
            }
            for (position, i) in members.enumerated() {
                for j in members[(position + 1)..<min(members.count, position + window)] {
                    let (low, high) = i < j ? (i, j) : (j, i)
                    if low != high && firstSharedSmallBlock(low, high) == nil {
                        pairs.append(Int64(low) << 32 | Int64(high))
                    }
                }
            }
            return pairs
        }
        let customers = Int64(max(1, profiles.count))
        var pairs = await ParallelSort.sorted(windows, bucket: { Int(($0 >> 32) * 256 / customers) }, by: <)
        var unique = 0
        for pair in pairs where unique == 0 || pairs[unique - 1] != pair {
            pairs[unique] = pair
            unique += 1
        }
        pairs.removeLast(pairs.count - unique)
        return pairs
    }
}
