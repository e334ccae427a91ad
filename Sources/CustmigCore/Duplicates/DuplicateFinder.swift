import Foundation
import Synchronization

/// Finds duplicate clusters among canonical customers: blocking, pair scores, clusters of merged pairs.
///
/// A cluster is the connected component of pairs at or above `autoMerge`; pairs between `review` and
/// `autoMerge` are listed for a steward and never merge on their own. Blocks larger than `maxBlock`
/// (a common name in a big city) are compared only within sorted windows, so the work stays bounded.
public struct DuplicateFinder: Sendable {
    public struct Pair: Sendable, Hashable {
        public var first: String
        public var second: String
        public var score: Double
    }

    public struct Result: Sendable {
        public var compared: Int
        public var merged: [Pair]
        public var review: [Pair]
        /// Clusters of two or more keys, each sorted, largest first.
        public var clusters: [[String]]
        /// Customers without any blocking key (never compared; reported, not dropped).
        public var unblocked: [String]
        /// The weights the pairs were scored with (learned from this run's customers unless pinned).
        public var weights = MatchWeights.defaults
        public var blocking = BlockingReport()
        /// Compared pairs by match weight: `histogram[i]` counts weights in [i + histogramStart, i + histogramStart + 1).
        public var histogram: [Int] = []
        public static let histogramStart = -40
    }

    /// Whether to learn the weights from the customers (else the matcher's weights are used as they are).
    public var learnWeights = true
    /// Random pairs for `u`, and at most about this many blocked pairs for the EM (a sample).
    public var randomPairs = 200_000
    public var trainingPairs = 1_000_000

    public var matcher: CustomerMatcher
    /// Blocks up to this size compare all their pairs; larger ones a window of `window` in name order.
    /// 50 and 10: a block of 200 would compare 19,900 pairs in full, 1,800 windowed; at 1M generated
    /// customers, 200/20 compared 50.4M pairs, 50/10 17.8M, with the same recall (0.972).
    public var maxBlock = 50
    public var window = 10
    /// Told what the finder does (blocking, learning, scoring batches of blocks: from the scoring
    /// threads, in any order), so a long run is never silent.
    public var progress: ProgressHandler?

    public init(matcher: CustomerMatcher = CustomerMatcher()) { self.matcher = matcher }

    /// Steward decisions as canonical-key pairs: `merge` pairs always merge, `keepApart` pairs never end
    /// in one cluster (a merge that would join them is skipped).
    public struct Decisions: Sendable {
        public var merge: [(String, String)] = []
        public var keepApart: [(String, String)] = []
        public init() {}
    }

    /// Splits a cluster that chained unlike customers together (A~B, B~C, but A and C contradict each
    /// other: another name, birth date or identifier, and a score under the review threshold) where the
    /// chain between them is weakest: on the strongest path from A to C (through the cluster's maximum
    /// spanning tree), the weakest automatic link is cut, with every link across the same divide (none
    /// of them stronger), and the two parts are checked again. Only the contradicting pair is pulled
    /// apart: a cut elsewhere in the cluster would split off members that contradict nobody. A and C
    /// that merely lack evidence (a value missing on one side, a move, a typo) stay joined through their
    /// strong links: a person keyed three times, once without the birth date and once after moving, is
    /// one customer. Steward `merge` links are never cut. Clusters above 50 members are kept as they are
    /// (rare; listed first in the report for a person to look at).
    func guardChains(
        _ members: [String], edges: [Pair], profiles: [String: CustomerMatcher.Profile], mustLink: [(String, String)],
        matcher: CustomerMatcher
    ) -> [[String]] {
        guard members.count > 2, members.count <= 50 else { return [members] }
        let inside = Set(members)
        var links = edges.filter { inside.contains($0.first) && inside.contains($0.second) }
        for (a, b) in mustLink where inside.contains(a) && inside.contains(b) {
            links.append(Pair(first: min(a, b), second: max(a, b), score: .infinity))
        }
        // The most contradicting pair, ties by keys.
        var worst: (score: Double, a: String, b: String)?
        let ordered = members.sorted()
        for (index, a) in ordered.enumerated() {
            for b in ordered[(index + 1)...] {
                // In key order: a comparison of swapped names is not symmetric (which side's first name
                // is read as a given name).
                guard let x = profiles[a], let y = profiles[b] else { continue }
                let comparison = CustomerMatcher.compare(x, y)
                guard Self.contradicts(comparison) else { continue }
                let score = matcher.total(comparison)
                if score < (worst?.score ?? matcher.settings.review) { worst = (score, a, b) }
            }
        }
        guard let worst else { return [members] }
        // Strongest links first (ties by keys: scores are sums of a few level weights and often tie),
        // joined into a maximum spanning tree.
        let strongest = links.sorted { ($0.score, $1.first, $1.second) > ($1.score, $0.first, $0.second) }
        var root = Dictionary(uniqueKeysWithValues: members.map { ($0, $0) })
        func find(_ key: String) -> String {
            var key = key
            while let parent = root[key], parent != key {
                root[key] = root[parent]
                key = parent
            }
            return key
        }
        var tree: [String: [Pair]] = [:]
        for link in strongest {
            let (x, y) = (find(link.first), find(link.second))
            guard x != y else { continue }
            root[x] = y
            tree[link.first, default: []].append(link)
            tree[link.second, default: []].append(link)
        }
        // The tree's path from a to b, and its weakest link.
        var via: [String: Pair] = [:]
        var stack = [worst.a]
        var seen: Set<String> = [worst.a]
        while let key = stack.popLast(), key != worst.b {
            for link in tree[key] ?? [] {
                let other = link.first == key ? link.second : link.first
                if seen.insert(other).inserted {
                    via[other] = link
                    stack.append(other)
                }
            }
        }
        var weakest: Pair?
        var key = worst.b
        while let link = via[key] {
            if link.score.isFinite,
                weakest.map({ (link.score, link.first, link.second) < ($0.score, $0.first, $0.second) }) ?? true
            {
                weakest = link
            }
            key = link.first == key ? link.second : link.first
        }
        guard let weakest else { return [members] }
        // The two sides of the tree without that link.
        var side: Set<String> = [weakest.first]
        stack = [weakest.first]
        while let key = stack.popLast() {
            for link in tree[key] ?? [] where link != weakest {
                let other = link.first == key ? link.second : link.first
                if side.insert(other).inserted { stack.append(other) }
            }
        }
        let kept = links.filter { side.contains($0.first) == side.contains($0.second) }
        let parts = [members.filter { side.contains($0) }, members.filter { !side.contains($0) }]
        return parts.flatMap { guardChains($0, edges: kept, profiles: profiles, mustLink: mustLink, matcher: matcher) }
    }

    /// Whether two customers disagree on what identifies them: the name (an organisation's, or a
    /// person's first or last name) at its worst level, another birth date, another identifier.
    static func contradicts(_ comparison: MatchComparison) -> Bool {
        comparison[.name] == 3 || comparison[.firstName] == 3 || comparison[.lastName] == 3
            || comparison[.birthDate] == 2 || comparison[.identifier] == 2
    }

    public func find(_ customers: [CanonicalCustomer], decisions: Decisions = Decisions()) async -> Result {
        await find(profiles: customers.map(CustomerMatcher.Profile.init), decisions: decisions)
    }

    /// The same from match profiles alone: the duplicates stage keeps profiles, not whole customers.
    public func find(profiles: [CustomerMatcher.Profile], decisions: Decisions = Decisions()) async -> Result {
        let customers = Int64(profiles.count)
        progress?(StageProgress("grouping customers into blocks", done: 0, total: customers, unit: .customers))
        let blocks = await Blocks(profiles, maxBlock: maxBlock, window: window)
        let unblocked = blocks.unblocked.map { profiles[$0].key }
        let small = blocks.runs.filter { $0.count <= maxBlock }.chunked(200)
        let large = await blocks.largeBlockPairs(profiles).chunked(2_000)
        var learning = self.matcher
        if learnWeights {
            progress?(StageProgress("learning match weights", done: 0, total: customers, unit: .customers))
            learning.weights = await learn(profiles, blocks: blocks, small: small, large: large)
        }
        // Immutable from here: a captured `var` would be copied out of its box (a dozen arrays retained
        // and released) for every scored pair.
        let matcher = learning
        let settings = matcher.settings
        let histogramSize = 101
        /// Scores pairs on every core: `produce` hands each pair of a piece of work to its `score`.
        typealias Scored = (
            merged: [Pair], review: [Pair], compared: Int, histogram: [Int], caught: [Set<BlockingRule>]
        )
        let batches = small.count + large.count
        let finished = SharedCounter()
        let progress = progress
        func scoreAll(
            pieces: Int, _ produce: @escaping @Sendable (Int, (Int, Int) -> Void) -> Void
        ) async -> [Scored] {
            await ParallelWork.map(0..<pieces) { piece in
                defer {
                    let done = finished.next() + 1
                    if done % 64 == 0 || done == batches {
                        progress?(
                            StageProgress("scoring pairs", done: Int64(done), total: Int64(batches), unit: .batches))
                    }
                }
                var merged: [Pair] = []
                var review: [Pair] = []
                var compared = 0
                var histogram = [Int](repeating: 0, count: histogramSize)
                var caught: [Set<BlockingRule>] = []
                // Profiles read in place, by index: no array retained and released per scored pair.
                profiles.withUnsafeBufferPointer { profiles in
                    produce(piece) { low, high in
                        compared += 1
                        let score = matcher.total(CustomerMatcher.compare(profiles[low], profiles[high]))
                        let bin = Int((score - Double(Result.histogramStart)).rounded(.down))
                        histogram[min(max(bin, 0), histogramSize - 1)] += 1
                        guard score >= settings.review else { return }
                        let pair = Pair(first: profiles[low].key, second: profiles[high].key, score: score)
                        if score >= settings.autoMerge {
                            merged.append(pair)
                            caught.append(BlockingRule.rules(catching: profiles[low], profiles[high]))
                        } else {
                            review.append(pair)
                        }
                    }
                }
                return (merged, review, compared, histogram, caught)
            }
        }
        var scored = await scoreAll(pieces: small.count) { piece, score in
            for run in small[piece] { blocks.forEachPair(inSmall: run, score) }
        }
        scored += await scoreAll(pieces: large.count) { piece, score in
            for pair in large[piece] { score(Int(pair >> 32), Int(pair & 0xFFFF_FFFF)) }
        }
        let compared = scored.reduce(0) { $0 + $1.compared }
        var histogram = [Int](repeating: 0, count: histogramSize)
        for piece in scored { for (bin, count) in piece.histogram.enumerated() { histogram[bin] += count } }
        var blocking = blocks.report
        blocking.estimate(caught: scored.flatMap(\.caught))
        var merged = scored.flatMap(\.merged)
        var review = scored.flatMap(\.review)
        func pairKey(_ a: String, _ b: String) -> String { a < b ? a + "|" + b : b + "|" + a }
        let apart = Set(decisions.keepApart.map { pairKey($0.0, $0.1) })
        let together = Set(decisions.merge.map { pairKey($0.0, $0.1) })
        merged.removeAll { apart.contains(pairKey($0.first, $0.second)) }
        review.removeAll {
            apart.contains(pairKey($0.first, $0.second)) || together.contains(pairKey($0.first, $0.second))
        }
        var parent = [String: String]()
        func root(_ key: String) -> String {
            var current = key
            while let next = parent[current], next != current { current = next }
            return current
        }
        func union(_ first: String, _ second: String) {
            if parent[first] == nil { parent[first] = first }
            if parent[second] == nil { parent[second] = second }
            let (a, b) = (root(first), root(second))
            guard a != b else { return }
            // Never join two customers a steward kept apart.
            for (x, y) in decisions.keepApart {
                let (rx, ry) = (root(x), root(y))
                if (rx == a && ry == b) || (rx == b && ry == a) { return }
            }
            parent[max(a, b)] = min(a, b)
        }
        for (a, b) in decisions.merge { union(a, b) }
        for pair in merged.sorted(by: {
            $0.score != $1.score ? $0.score > $1.score : ($0.first, $0.second) < ($1.first, $1.second)
        }) {
            union(pair.first, pair.second)
        }
        var groups: [String: [String]] = [:]
        for key in parent.keys { groups[root(key), default: []].append(key) }
        // Only clustered customers' profiles are looked up again (for the chain guard).
        var profileOf: [String: CustomerMatcher.Profile] = [:]
        if !parent.isEmpty {
            for index in 0..<profiles.count
            where parent[profiles[index].key] != nil && profileOf[profiles[index].key] == nil {
                let profile = profiles[index]
                profileOf[profile.key] = profile
            }
        }
        var clusters: [[String]] = []
        for group in groups.values where group.count > 1 {
            clusters += guardChains(
                group, edges: merged, profiles: profileOf, mustLink: decisions.merge, matcher: matcher)
        }
        clusters = clusters.filter { $0.count > 1 }.map { $0.sorted() }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0[0] < $1[0] }
        return Result(
            compared: compared, merged: merged.sorted { ($0.first, $0.second) < ($1.first, $1.second) },
            review: review.sorted { ($0.first, $0.second) < ($1.first, $1.second) }, clusters: clusters,
            unblocked: unblocked, weights: matcher.weights, blocking: blocking, histogram: histogram)
    }

    /// The weights learned from these customers: `u` from random pairs, `m` and λ by EM over a sample
    /// of the blocked pairs (every pair when there are at most `trainingPairs`). Deterministic: the
    /// random pairs come from a generator seeded by the number of customers, the sample by pair hash.
    func learn(
        _ profiles: [CustomerMatcher.Profile], blocks: Blocks, small: [ArraySlice<Range<Int>>],
        large: [ArraySlice<Int64>]
    ) async -> MatchWeights {
        let proposed = blocks.report.rules.reduce(0) { $0 + $1.pairs }
        let stride = UInt64(max(1, proposed / max(1, trainingPairs)))
        @Sendable func sampled(_ low: Int, _ high: Int) -> Bool {
            stride == 1 || (UInt64(low) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(high) &* 0xC2B2_AE3D_27D4_EB4F) % stride == 0
        }
        let n = profiles.count
        func count(
            pieces: Int, _ produce: @escaping @Sendable (Int, (Int, Int) -> Void) -> Void
        ) async -> [[MatchComparison: Int]] {
            await ParallelWork.map(0..<pieces) { piece in
                var counts: [MatchComparison: Int] = [:]
                profiles.withUnsafeBufferPointer { profiles in
                    produce(piece) { low, high in
                        guard sampled(low, high) else { return }
                        counts[CustomerMatcher.compare(profiles[low], profiles[high]), default: 0] += 1
                    }
                }
                return counts
            }
        }
        var candidates: [MatchComparison: Int] = [:]
        let parts =
            await count(pieces: small.count) { piece, body in
                for run in small[piece] { blocks.forEachPair(inSmall: run, body) }
            }
            + count(pieces: large.count) { piece, body in
                for pair in large[piece] { body(Int(pair >> 32), Int(pair & 0xFFFF_FFFF)) }
            }
        for part in parts { candidates.merge(part, uniquingKeysWith: +) }
        var random: [MatchComparison: Int] = [:]
        if n > 1 {
            if n * (n - 1) / 2 <= randomPairs {
                for i in 0..<n {
                    for j in (i + 1)..<n {
                        random[CustomerMatcher.compare(profiles[i], profiles[j]), default: 0] += 1
                    }
                }
            } else {
                let pieces = 8
                let randomPairs = randomPairs
                let parts = await ParallelWork.map(0..<pieces, parallelFrom: 2) { piece -> [MatchComparison: Int] in
                    var generator = SampleRandom(seed: UInt64(n) &* 31 &+ UInt64(piece))
                    var counts: [MatchComparison: Int] = [:]
                    profiles.withUnsafeBufferPointer { profiles in
                        for _ in 0..<(randomPairs / pieces) {
                            let i = generator.below(n)
                            var j = generator.below(n - 1)
                            if j >= i { j += 1 }
                            counts[CustomerMatcher.compare(profiles[i], profiles[j]), default: 0] += 1
                        }
                    }
                    return counts
                }
                for part in parts { random.merge(part, uniquingKeysWith: +) }
            }
        }
        return MatchWeights.learn(
            candidates: candidates, random: random, allPairs: Double(n) * Double(n - 1) / 2,
            sampleStride: Double(stride), pins: matcher.weights.pinned)
    }
}
