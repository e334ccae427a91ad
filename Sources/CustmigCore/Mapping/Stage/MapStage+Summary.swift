import Foundation
import GRDB

extension MapStage {
    /// Counts a run from the ledger's rows, not from running counters.
    static func summarize(run: Int64, mapping: Mapping, version: MappingVersion, ledger: Ledger) throws -> MapSummary {
        try ledger.database.read { db in
            let statuses = try CanonicalStore.statusCounts(run: run, db: db)
            var counts = InputCounts()
            for input in try CheckpointStore.primaryCounts(run: run, db: db) {
                counts.read += input.read
                counts.malformed += input.malformed
                counts.superseded += input.superseded
            }
            let perRule = try FindingStore.ruleCounts(run: run, db: db)
            let (unknown, unknownTotal) = try FindingStore.unknownCodes(
                run: run, limit: MapSummary.unknownCodesListed, db: db)
            let rejected = statuses["rejected"] ?? 0
            let orphans = try StagedRowStore.orphans(run: run, db: db)
            let corrected = try FindingStore.correctedKeys(run: run, db: db)
            let decided = Set(
                try FindingStore.decided(run: run, db: db).map { ($0.legacyKey ?? "") + "\u{0}" + $0.rule })
            let unmatchedCorrections = mapping.corrections.values.flatMap { $0 }.filter {
                !corrected.contains($0.legacyKey)
            }
            .sorted { $0.line < $1.line }.map { "corrections.csv:\($0.line) \($0.legacyKey) \($0.field)" }
            let unmatchedDecisions = mapping.decisions.values.flatMap { $0 }
                .filter { !decided.contains($0.legacyKey + "\u{0}" + $0.rule) }
                .sorted { $0.line < $1.line }.map { "review-decisions.csv:\($0.line) \($0.legacyKey) \($0.rule)" }
            let read = counts.read + counts.malformed
            // A resumed run meets the file's own findings again: each is listed once.
            var extractProblems: [String] = []
            var readingStopped = false
            for problem in try MalformedStore.fileProblems(run: run, db: db) {
                let line = problem.line.map { $0 > 0 ? ":\($0)" : "" } ?? ""
                if problem.severity == "error" { readingStopped = true }
                extractProblems.append(
                    "\(problem.path)\(line): \(problem.severity) [\(problem.code)] \(problem.message)")
            }
            let scope = try RunStore.run(run, db: db)?.scope
            let emptyFullExtract = read == 0 && scope != MapScope.delta.rawValue
            if read == 0 {
                extractProblems.append(
                    "no record was read from the extracts: check that each is the export you meant (not an empty "
                        + "file, or a header without rows)"
                        + (emptyFullExtract
                            ? "; a full-scope run without records would have the dry run treat every loaded customer as gone."
                            : "."))
            }
            var summary = MapSummary(
                run: run, outcome: "done", mapping: mapping.name, mappingVersion: mapping.version,
                mappingChecksum: version.checksum, read: read, mapped: statuses["ok"] ?? 0,
                toReview: statuses["review"] ?? 0, rejected: rejected, superseded: counts.superseded,
                malformed: counts.malformed, perRule: perRule, unknownCodes: unknown,
                unmatchedCorrections: unmatchedCorrections, unmatchedDecisions: unmatchedDecisions,
                extractProblems: extractProblems, extractGateFailed: readingStopped || emptyFullExtract,
                orphans: orphans,
                rejectThresholdExceeded: mapping.rejectThreshold.isExceeded(
                    rejects: rejected + counts.malformed, of: read),
                resumed: false, elapsedSeconds: 0, reports: [])
            summary.unknownCodesTotal = unknownTotal
            return summary
        }
    }
}
