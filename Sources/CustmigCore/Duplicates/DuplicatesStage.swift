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
    ) throws -> DuplicatesSummary {
        // Until it writes its result in one transaction, a duplicates run keeps nothing: stopped, it is
        // marked interrupted by the next run, which starts over.
        let stop = { try Interruption.check(kept: "nothing (the run starts over)", resume: "run `\(command)` again.") }
        let ledger = workspace.ledger
        guard
            let mapRun = try requested
                ?? ledger.database.read({ db in try RunStore.latestFinishedMap(db: db) })
        else {
            throw CustmigError(
                .usage, code: "DUP-NO-MAP", "there is no finished map run in \(workspace.path).",
                fix: "run custmig map first.")
        }
        let decisionsText = decisionsFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
        let decisions = try decisionsFile.map { try DuplicateDecisionFile.read(path: $0, knownKeys: nil) } ?? []
        // Thresholds and survivorship: as given (the --mapping file), else the mapping version the map
        // run used, as the ledger kept it.
        let duplicateSettings =
            try given
            ?? ledger.database.read { db -> DuplicateSettings in
                guard let run = try RunStore.run(mapRun, db: db) else { return DuplicateSettings() }
                let text = try Ledger.mappingText(ofRun: run, db: db)
                return text.isEmpty
                    ? DuplicateSettings()
                    : try MappingLoader.duplicateSettings(text, file: run.mappingFile ?? "the mapping")
            }
        let startingMatcher = CustomerMatcher(settings: duplicateSettings.matcher, weights: duplicateSettings.weights)
        let settings = "\(duplicateSettings.fingerprint)|\(CustmigVersion.current)|" + FileDigest.sha256(decisionsText)
        let inputsKey = FileDigest.sha256("duplicates|\(mapRun)|\(settings)")
        if let done = try ledger.database.read({ db in
            try RunStore.finishedSummary(stage: "duplicates", inputsKey: inputsKey, db: db)
        }), var summary = try? JSONDecoder().decode(DuplicatesSummary.self, from: Data(done.utf8)) {
            summary.outcome = "unchanged"
            // The same run; its report is written again with this run's options (e.g. --mask-pii).
            summary.reports = [
                try DuplicatesReport.write(
                    run: summary.run, ledger: ledger, folder: try workspace.reportFolder(run: summary.run),
                    mask: maskPII)
            ]
            return summary
        }
        // The run is in the ledger before the work starts, so a killed run leaves a trace the next dry run
        // can warn about (it plans without merges otherwise); `scope` names the map run it is for. The
        // workspace lock makes any other `running` duplicates run one that was stopped.
        let startedRun = try ledger.database.write { db -> Int64 in
            try RunStore.interruptRunning(stage: "duplicates", db: db)
            return try RunStore.start(
                StageRun(
                    stage: "duplicates", status: "running", inputsKey: inputsKey, scope: "map-run:\(mapRun)",
                    custmigVersion: CustmigVersion.current, command: command, startedAt: Date()), db: db
            ).id!
        }
        // Match profiles only, decoded on every core chunk by chunk: whole customers of a 1M-record
        // run do not fit the memory budget; survivors re-read their few members from the ledger.
        var profiles: [CustomerMatcher.Profile] = []
        /// The legacy key of each profile, by position (no dictionary of a million entries).
        var legacyKeys: [String] = []
        // The records are read in ranges of row ids on a thread of their own while every core decodes
        // the range before (SQLite and the text's validation took a tenth of the stage on one core
        // while the others waited).
        let span = try ledger.database.read { db in try CanonicalStore.unrejectedSpan(run: mapRun, db: db) }
        let total = Int64(span.count)
        let (low, high) = (span.rowids?.lowerBound ?? 1, span.rowids?.upperBound ?? 0)
        let rowsPerPiece: Int64 = 8_192
        let pieces = high >= low ? Int((high - low) / rowsPerPiece) + 1 : 0
        let reads = Prefetch<[CanonicalStore.Stored]> { [database = ledger.database] number in
            let first = low + Int64(number) * rowsPerPiece
            return try database.read { db in
                try CanonicalStore.unrejected(run: mapRun, rowids: first...(first + rowsPerPiece - 1), db: db)
            }
        }
        for piece in 0..<pieces {
            let items = try reads.take(piece)
            if piece + 1 < pieces { reads.request(piece + 1) }
            let decoded = ParallelMap.map(items.indices) { index -> CustomerMatcher.Profile? in
                // The ledger's own reader, matched fields only, first (a tenth of JSONDecoder's
                // time); the lenient partial decoding for anything it refuses.
                items[index].customerForMatching.map(CustomerMatcher.Profile.init)
            }
            for (item, profile) in zip(items, decoded) {
                guard let profile else { continue }
                profiles.append(profile)
                legacyKeys.append(item.legacyKey)
            }
            reads.discard(items)
            try stop()
            progress?(StageProgress("reading customers", done: Int64(profiles.count), total: total, unit: .customers))
        }
        // Legacy -> canonical for the keys the decisions name only.
        let named = Set(decisions.flatMap { [$0.first, $0.second] })
        var canonicalOf: [String: String] = [:]
        if !named.isEmpty {
            for (profile, legacy) in zip(profiles, legacyKeys) where named.contains(legacy) {
                canonicalOf[legacy] = profile.key
            }
        }
        var constraints = DuplicateFinder.Decisions()
        var stale: [String] = []
        for decision in decisions {
            guard let a = canonicalOf[decision.first], let b = canonicalOf[decision.second] else {
                stale.append(
                    "\((decisionsFile! as NSString).lastPathComponent):\(decision.line) \(decision.first) \(decision.second)"
                )
                continue
            }
            if decision.verdict == .merge {
                constraints.merge.append((a, b))
            } else {
                constraints.keepApart.append((a, b))
            }
        }
        try stop()
        var finder = DuplicateFinder(matcher: startingMatcher)
        finder.learnWeights = duplicateSettings.learnWeights
        finder.progress = progress
        let result = finder.find(profiles: profiles, decisions: constraints)
        let matcher = CustomerMatcher(settings: duplicateSettings.matcher, weights: result.weights)
        try stop()
        progress?(
            StageProgress(
                "writing pairs", done: 0, total: Int64(result.merged.count + result.review.count), unit: .pairs))
        // Profiles and legacy keys of the customers in pairs and clusters: the few looked up again.
        var involved = Set(result.clusters.joined())
        for pair in result.merged + result.review {
            involved.insert(pair.first)
            involved.insert(pair.second)
        }
        var involvedProfiles: [String: CustomerMatcher.Profile] = [:]
        var legacyOf: [String: String] = [:]
        for (profile, legacy) in zip(profiles, legacyKeys)
        where involved.contains(profile.key) && involvedProfiles[profile.key] == nil {
            involvedProfiles[profile.key] = profile
            legacyOf[profile.key] = legacy
        }
        let profileOf = involvedProfiles
        let customerCount = profiles.count
        let canonicalKeys = profiles.map(\.key)
        // A million profiles take seconds to free: they are dropped on another core while this one
        // writes.
        let released = profiles
        profiles = []
        DispatchQueue.global(qos: .utility).async { withExtendedLifetime(released) {} }
        // Each stored pair's evidence, worked out on every core before the transaction.
        let stored = result.merged.map { ("merged", $0) } + result.review.map { ("review", $0) }
        let evidence = try ParallelMap.map(0..<(stored.count + 255) / 256) {
            slice -> Result<[String?], Error> in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return Result {
                try stored[(slice * 256)..<min(stored.count, slice * 256 + 256)].map { _, pair in
                    guard let a = profileOf[pair.first], let b = profileOf[pair.second] else { return nil }
                    return String(decoding: try encoder.encode(matcher.score(a, b).evidence), as: UTF8.self)
                }
            }
        }.flatMap { try $0.get() }
        let summary = try ledger.database.write { db -> DuplicatesSummary in
            let run = startedRun
            try DuplicateStore.addPairs(
                zip(stored, evidence).compactMap { stored, evidence in
                    evidence.map {
                        DuplicateStore.Pair(
                            first: stored.1.first, second: stored.1.second, score: stored.1.score, outcome: stored.0,
                            evidence: $0)
                    }
                }, run: run, db: db)
            progress?(
                StageProgress(
                    "writing golden records", done: 0, total: Int64(result.clusters.count), unit: .customers))
            // Each cluster's members by legacy key, looked up once for the key map, their records and
            // the golden keys they had.
            let clusterLegacyKeys = result.clusters.map { $0.compactMap { legacyOf[$0] } }
            // The golden keys each cluster's members had, most common first.
            let earlier = try clusterLegacyKeys.map { legacyKeys -> [String] in
                var existing: [String: Int] = [:]
                for legacy in legacyKeys {
                    if let golden = try DuplicateStore.goldenKey(legacyKey: legacy, db: db) {
                        existing[golden, default: 0] += 1
                    }
                }
                return existing.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
            }
            // A golden key names one customer: an earlier one is kept by one cluster only, and never
            // when it is the own key of a customer outside the cluster (a split cluster).
            let wanted = Set(earlier.joined())
            let customerKeys = Set(canonicalKeys.lazy.filter { wanted.contains($0) })
            var taken = Set<String>()
            let goldenKeys = zip(result.clusters, earlier).map { members, earlierKeys -> String in
                let golden =
                    earlierKeys.first { key in
                        !taken.contains(key) && (!customerKeys.contains(key) || members.contains(key))
                    } ?? members.min()!
                taken.insert(golden)
                return golden
            }
            // Members' records are read here and merged into survivors on every core.
            let memberRecords = try clusterLegacyKeys.map { legacyKeys in
                try legacyKeys.compactMap { legacy in try CanonicalStore.data(run: mapRun, legacyKey: legacy, db: db) }
            }
            let survivors = ParallelMap.map(result.clusters.indices) { index in
                Survivorship.survivor(
                    of: memberRecords[index].compactMap(\.customer),
                    goldenKey: goldenKeys[index], rules: duplicateSettings.survivorship
                ).jsonText
            }
            var clustered = Set<String>()
            var keyMap: [(legacy: String, golden: String)] = []
            keyMap.reserveCapacity(customerCount)
            for (index, members) in result.clusters.enumerated() {
                try DuplicateStore.addSurvivor(
                    run: run, goldenKey: goldenKeys[index], members: members, data: survivors[index], db: db)
                for legacy in clusterLegacyKeys[index] { keyMap.append((legacy, goldenKeys[index])) }
                clustered.formUnion(members)
            }
            progress?(StageProgress("writing the key map", done: 0, total: Int64(customerCount), unit: .customers))
            for (key, legacy) in zip(canonicalKeys, legacyKeys) where !clustered.contains(key) {
                keyMap.append((legacy, key))
            }
            try DuplicateStore.writeKeyMap(keyMap, run: run, db: db)
            var summary = DuplicatesSummary(
                run: run, mapRun: mapRun, outcome: "done", customers: customerCount, pairsCompared: result.compared,
                autoMerged: result.merged.count, forReview: result.review.count, clusters: result.clusters.count,
                mergedAway: result.clusters.reduce(0) { $0 + $1.count - 1 }, unblocked: result.unblocked.count,
                reports: [])
            summary.decisionsApplied = decisions.count - stale.count
            summary.decisionsStale = stale
            summary.weights = result.weights
            summary.autoMergeWeight = duplicateSettings.autoMerge
            summary.reviewWeight = duplicateSettings.review
            summary.blocking = result.blocking
            summary.histogram = result.histogram
            try RunStore.finish(
                run, summary: String(decoding: try JSONEncoder().encode(summary), as: UTF8.self), db: db)
            FaultPoint.reach("duplicates.inside-commit")
            return summary
        }
        FaultPoint.reach("duplicates.committed")
        ledger.truncateLog()
        var written = summary
        written.reports = [
            try DuplicatesReport.write(
                run: summary.run, ledger: ledger, folder: try workspace.reportFolder(run: summary.run), mask: maskPII)
        ]
        return written
    }
}
