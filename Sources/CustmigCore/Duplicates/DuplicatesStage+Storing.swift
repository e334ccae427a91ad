import Foundation
import GRDB

extension DuplicatesStage {
    /// How a duplicates run begins: the map run it matches, its settings and decisions, and its row in
    /// the ledger; or the summary of the same run done before.
    enum Start {
        case started(Started)
        case unchanged(DuplicatesSummary)

        struct Started: Sendable {
            let mapRun: Int64
            let run: Int64
            let settings: DuplicateSettings
            let decisions: [DuplicateDecision]
            let decisionsFile: String?

            /// The range of row ids the map run's unrejected customers take, and how many they are.
            func span(ledger: Ledger) throws -> (rowids: ClosedRange<Int64>?, count: Int) {
                try ledger.database.read { db in try CanonicalStore.unrejectedSpan(run: mapRun, db: db) }
            }

            /// The steward's decisions as pairs of canonical keys, and those naming a customer this map
            /// run lacks (`file:line first second`).
            func constraints(
                legacyKeys: [String], profiles: [CustomerMatcher.Profile]
            ) -> (DuplicateFinder.Decisions, stale: [String]) {
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
                        let file = ((decisionsFile ?? "") as NSString).lastPathComponent
                        stale.append("\(file):\(decision.line) \(decision.first) \(decision.second)")
                        continue
                    }
                    if decision.verdict == .merge {
                        constraints.merge.append((a, b))
                    } else {
                        constraints.keepApart.append((a, b))
                    }
                }
                return (constraints, stale)
            }
        }

        static func begin(
            workspace: Workspace, mapRun requested: Int64?, settings given: DuplicateSettings?,
            decisionsFile: String?, command: String, maskPII: Bool
        ) throws -> Start {
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
            let settings =
                "\(duplicateSettings.fingerprint)|\(CustmigVersion.current)|" + FileDigest.sha256(decisionsText)
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
                return .unchanged(summary)
            }
            // The run is in the ledger before the work starts, so a killed run leaves a trace the next dry
            // run can warn about (it plans without merges otherwise); `scope` names the map run it is for.
            // The workspace lock makes any other `running` duplicates run one that was stopped.
            let run = try ledger.database.write { db -> Int64 in
                try RunStore.interruptRunning(stage: "duplicates", db: db)
                return try RunStore.start(
                    StageRun(
                        stage: "duplicates", status: "running", inputsKey: inputsKey, scope: "map-run:\(mapRun)",
                        custmigVersion: CustmigVersion.current, command: command, startedAt: Date()), db: db
                ).id!
            }
            return .started(
                Started(
                    mapRun: mapRun, run: run, settings: duplicateSettings, decisions: decisions,
                    decisionsFile: decisionsFile))
        }
    }

    /// Every customer's canonical and legacy key, by position.
    struct Keys: Sendable {
        let canonical: [String]
        let legacy: [String]
    }

    /// Profiles and legacy keys of the customers in pairs and clusters: the few looked up again.
    struct Involved: Sendable {
        var profiles: [String: CustomerMatcher.Profile] = [:]
        var legacyOf: [String: String] = [:]

        init(_ result: DuplicateFinder.Result, profiles: [CustomerMatcher.Profile], legacyKeys: [String]) {
            var involved = Set(result.clusters.joined())
            for pair in result.merged + result.review {
                involved.insert(pair.first)
                involved.insert(pair.second)
            }
            for (profile, legacy) in zip(profiles, legacyKeys)
            where involved.contains(profile.key) && self.profiles[profile.key] == nil {
                self.profiles[profile.key] = profile
                legacyOf[profile.key] = legacy
            }
        }
    }

    /// Each cluster's members by legacy key (looked up once, for the key map), its golden key and its
    /// members' stored records.
    struct Clusters: Sendable {
        let legacyKeys: [[String]]
        let goldenKeys: [String]
        let memberRecords: [[CanonicalStore.Stored]]

        static func read(
            _ clusters: [[String]], keys: Keys, involved: Involved, started: Start.Started, ledger: Ledger
        ) throws -> Clusters {
            let legacyKeys = clusters.map { $0.compactMap { involved.legacyOf[$0] } }
            return try ledger.database.read { db in
                // The golden keys each cluster's members had, most common first.
                let earlier = try legacyKeys.map { legacyKeys -> [String] in
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
                let customerKeys = Set(keys.canonical.lazy.filter { wanted.contains($0) })
                var taken = Set<String>()
                let goldenKeys = zip(clusters, earlier).map { members, earlierKeys -> String in
                    let golden =
                        earlierKeys.first { key in
                            !taken.contains(key) && (!customerKeys.contains(key) || members.contains(key))
                        } ?? members.min()!
                    taken.insert(golden)
                    return golden
                }
                let memberRecords = try legacyKeys.map { legacyKeys in
                    try legacyKeys.compactMap { legacy in
                        try CanonicalStore.data(run: started.mapRun, legacyKey: legacy, db: db)
                    }
                }
                return Clusters(legacyKeys: legacyKeys, goldenKeys: goldenKeys, memberRecords: memberRecords)
            }
        }
    }

    /// Writes the pairs, the survivors, the key map and the run's summary in one transaction.
    static func store(
        _ result: DuplicateFinder.Result, evidence: [String?], clusters: Clusters, survivors: [String], keys: Keys,
        stale: [String], started: Start.Started, ledger: Ledger, progress: ProgressHandler?
    ) throws -> DuplicatesSummary {
        let stored = result.merged.map { ("merged", $0) } + result.review.map { ("review", $0) }
        return try ledger.database.write { db -> DuplicatesSummary in
            let run = started.run
            try DuplicateStore.addPairs(
                zip(stored, evidence).compactMap { stored, evidence in
                    evidence.map {
                        DuplicateStore.Pair(
                            first: stored.1.first, second: stored.1.second, score: stored.1.score, outcome: stored.0,
                            evidence: $0)
                    }
                }, run: run, db: db)
            var clustered = Set<String>()
            var keyMap: [(legacy: String, golden: String)] = []
            keyMap.reserveCapacity(keys.canonical.count)
            for (index, members) in result.clusters.enumerated() {
                try DuplicateStore.addSurvivor(
                    run: run, goldenKey: clusters.goldenKeys[index], members: members, data: survivors[index], db: db)
                for legacy in clusters.legacyKeys[index] { keyMap.append((legacy, clusters.goldenKeys[index])) }
                clustered.formUnion(members)
            }
            progress?(
                StageProgress("writing the key map", done: 0, total: Int64(keys.canonical.count), unit: .customers))
            for (key, legacy) in zip(keys.canonical, keys.legacy) where !clustered.contains(key) {
                keyMap.append((legacy, key))
            }
            try DuplicateStore.writeKeyMap(keyMap, run: run, db: db)
            var summary = DuplicatesSummary(
                run: run, mapRun: started.mapRun, outcome: "done", customers: keys.canonical.count,
                pairsCompared: result.compared, autoMerged: result.merged.count, forReview: result.review.count,
                clusters: result.clusters.count, mergedAway: result.clusters.reduce(0) { $0 + $1.count - 1 },
                unblocked: result.unblocked.count, reports: [])
            summary.decisionsApplied = started.decisions.count - stale.count
            summary.decisionsStale = stale
            summary.weights = result.weights
            summary.autoMergeWeight = started.settings.autoMerge
            summary.reviewWeight = started.settings.review
            summary.blocking = result.blocking
            summary.histogram = result.histogram
            try RunStore.finish(
                run, summary: String(decoding: try JSONEncoder().encode(summary), as: UTF8.self), db: db)
            FaultPoint.reach("duplicates.inside-commit")
            return summary
        }
    }
}
