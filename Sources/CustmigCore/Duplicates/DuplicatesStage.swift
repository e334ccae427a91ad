import Foundation
import GRDB

/// What a duplicates run found, counted from what it stored.
public struct DuplicatesSummary: Sendable, Codable {
    public var run: Int64
    public var mapRun: Int64
    /// `done`, or `unchanged` when the same map run was already matched with these settings.
    public var outcome: String
    public var customers: Int
    public var pairsCompared: Int
    public var autoMerged: Int
    public var forReview: Int
    public var clusters: Int
    /// Customers that disappear into a survivor (cluster members minus one per cluster).
    public var mergedAway: Int
    public var unblocked: Int
    public var reports: [String]
    /// Steward decisions applied, and those whose customers are not in this map run (`file:line`).
    public var decisionsApplied: Int = 0
    public var decisionsStale: [String] = []
    /// How pairs were scored: the weights (learned unless pinned), the thresholds as match weights, the
    /// blocking rules' counts and the compared pairs' match weights (runs stored before have none).
    public var weights: MatchWeights?
    public var autoMergeWeight: Double?
    public var reviewWeight: Double?
    public var blocking: BlockingReport?
    public var histogram: [Int]?
}

/// `custmig duplicates`: matches the canonical customers of a map run, clusters the duplicates, builds
/// surviving (golden) records and updates the key map, all in one transaction (a killed run leaves
/// nothing behind and a rerun does it again; a finished one is a no-op).
///
/// Golden keys are sticky: a cluster keeps the golden key its members already had in the key map (the
/// most common one), however the cluster or its survivor changes; a new cluster takes its smallest
/// member key — never something derived from run order.
public enum DuplicatesStage {
    public static func run(
        workspace: Workspace, mapRun requested: Int64?, settings given: DuplicateSettings? = nil,
        decisionsFile: String? = nil, command: String, maskPII: Bool = false, progress: ProgressHandler? = nil
    ) async throws -> DuplicatesSummary {
        // Until it writes its result in one transaction, a duplicates run keeps nothing: stopped, it is
        // marked interrupted by the next run, which starts over.
        let stop = { try Interruption.check(kept: "nothing (the run starts over)", resume: "run `\(command)` again.") }
        let ledger = workspace.ledger
        let start = try Start.begin(
            workspace: workspace, mapRun: requested, settings: given, decisionsFile: decisionsFile, command: command,
            maskPII: maskPII)
        guard case .started(let started) = start else {
            if case .unchanged(let summary) = start { return summary }
            preconditionFailure("a duplicates run either starts or is unchanged")
        }
        var read = try await readProfiles(started, ledger: ledger, progress: progress, stop: stop)
        let (constraints, stale) = started.constraints(legacyKeys: read.legacyKeys, profiles: read.profiles)
        try stop()
        var finder = DuplicateFinder(
            matcher: CustomerMatcher(settings: started.settings.matcher, weights: started.settings.weights))
        finder.learnWeights = started.settings.learnWeights
        finder.progress = progress
        let result = await finder.find(profiles: read.profiles, decisions: constraints)
        try stop()
        progress?(
            StageProgress(
                "writing pairs", done: 0, total: Int64(result.merged.count + result.review.count), unit: .pairs))
        let involved = Involved(result, profiles: read.profiles, legacyKeys: read.legacyKeys)
        let keys = Keys(canonical: read.profiles.map(\.key), legacy: read.legacyKeys)
        // A million profiles take seconds to free: they are dropped on a child task while this one
        // writes (handed over, so that the child holds the last reference).
        let released = Handed(read.profiles)
        read = Profiles()
        async let freed: Void = released.use { $0 = [] }
        let matcher = CustomerMatcher(settings: started.settings.matcher, weights: result.weights)
        let evidence = try await Self.evidence(of: result, profiles: involved.profiles, matcher: matcher)
        progress?(
            StageProgress("writing golden records", done: 0, total: Int64(result.clusters.count), unit: .customers))
        let clusters = try Clusters.read(
            result.clusters, keys: keys, involved: involved, started: started, ledger: ledger)
        // Members' records are merged into survivors on every core.
        let survivorship = started.settings.survivorship
        let survivors = await ParallelWork.map(clusters.memberRecords.indices) { index in
            Survivorship.survivor(
                of: clusters.memberRecords[index].compactMap(\.customer), goldenKey: clusters.goldenKeys[index],
                rules: survivorship
            ).jsonText
        }
        var summary = try store(
            result, evidence: evidence, clusters: clusters, survivors: survivors, keys: keys, stale: stale,
            started: started, ledger: ledger, progress: progress)
        FaultPoint.reach("duplicates.committed")
        ledger.truncateLog()
        await freed
        summary.reports = [
            try DuplicatesReport.write(
                run: summary.run, ledger: ledger, folder: try workspace.reportFolder(run: summary.run), mask: maskPII)
        ]
        return summary
    }

    /// The match profiles of a map run's unrejected customers and their legacy keys, by position (no
    /// dictionary of a million entries). Profiles only, decoded on every core chunk by chunk: whole
    /// customers of a 1M-record run do not fit the memory budget; survivors re-read their few members.
    struct Profiles {
        var profiles: [CustomerMatcher.Profile] = []
        var legacyKeys: [String] = []
    }

    static func readProfiles(
        _ started: Start.Started, ledger: Ledger, progress: ProgressHandler?, stop: () throws -> Void
    ) async throws -> Profiles {
        // The records are read in ranges of row ids on a child task while every core decodes the range
        // before (SQLite and the text's validation took a tenth of the stage on one core while the
        // others waited).
        let span = try started.span(ledger: ledger)
        let total = Int64(span.count)
        let (low, high) = (span.rowids?.lowerBound ?? 1, span.rowids?.upperBound ?? 0)
        let rowsPerPiece: Int64 = 8_192
        let pieces = high >= low ? Int((high - low) / rowsPerPiece) + 1 : 0
        var next = 0
        let (database, mapRun) = (ledger.database, started.mapRun)
        var read = Profiles()
        try await ReadAhead.forEach(read: { () throws -> [CanonicalStore.Stored]? in
            guard next < pieces else { return nil }
            let first = low + Int64(next) * rowsPerPiece
            next += 1
            return try database.read { db in
                try CanonicalStore.unrejected(run: mapRun, rowids: first...(first + rowsPerPiece - 1), db: db)
            }
        }) { items in
            let decoded = await ParallelWork.map(items.indices) { index -> CustomerMatcher.Profile? in
                // The ledger's own reader, matched fields only, first (a tenth of JSONDecoder's
                // time); the lenient partial decoding for anything it refuses.
                items[index].customerForMatching.map(CustomerMatcher.Profile.init)
            }
            for (item, profile) in zip(items, decoded) {
                guard let profile else { continue }
                read.profiles.append(profile)
                read.legacyKeys.append(item.legacyKey)
            }
            try stop()
            progress?(
                StageProgress("reading customers", done: Int64(read.profiles.count), total: total, unit: .customers))
        }
        return read
    }

    /// Each stored pair's evidence, worked out on every core before the transaction.
    static func evidence(
        of result: DuplicateFinder.Result, profiles: [String: CustomerMatcher.Profile], matcher: CustomerMatcher
    ) async throws -> [String?] {
        let stored = result.merged + result.review
        return try await ParallelWork.map(0..<(stored.count + 255) / 256) { slice -> Result<[String?], any Error> in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return Result {
                try stored[(slice * 256)..<min(stored.count, slice * 256 + 256)].map { pair in
                    guard let a = profiles[pair.first], let b = profiles[pair.second] else { return nil }
                    return String(decoding: try encoder.encode(matcher.score(a, b).evidence), as: UTF8.self)
                }
            }
        }.flatMap { try $0.get() }
    }
}
