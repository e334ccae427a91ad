import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct Duplicates: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find and merge duplicate customers; export pairs for review; record steward decisions.",
            subcommands: [Find.self, Review.self, Decide.self],
            defaultSubcommand: Find.self)
    }
}

extension Custmig.Duplicates {
    struct Find: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "find",
            abstract: "Match a map run's customers, merge duplicates into golden records, update the key map.",
            discussion: HelpText.flowing(
                """
                Blocks customers by cheap keys (VAT id, country + postal code + name, city + name, phone,
                email), scores each pair field by field, merges pairs at or above the auto-merge score into
                clusters with one surviving record, lists pairs between the review and auto-merge scores for
                a steward, and updates the key map (legacy key -> golden key; golden keys are sticky).
                With --mapping, the steward decisions beside it (duplicate-decisions.csv) are applied.

                Examples:
                  custmig duplicates
                  custmig duplicates find --workspace w --mapping Mappings/legacy-flat-csv/mapping.yaml
                """))

        @OptionGroup var workspace: WorkspaceOptions

        @Option(name: .customLong("run"), help: "The map run to match (default: the latest finished one).")
        var mapRun: Int64?

        @Option(
            help:
                "The mapping whose duplicates section (thresholds, survivorship) and duplicate-decisions.csv to apply (default: the settings of the mapping version the map run used, no decisions)."
        )
        var mapping: String?

        @Flag(
            name: .customLong("mask-pii"),
            help:
                "Mask personal data (phones, e-mails, VAT ids) in the duplicates report, for a wider audience; the ledger keeps the values."
        )
        var maskPii = false

        @OptionGroup var progress: ProgressOptions

        func run() async throws {
            try await runReportingErrors {
                let command = RecordedCommand.current
                let space = try workspace.open(command: command, writer: true)
                let decisions = mapping.map {
                    (($0 as NSString).deletingLastPathComponent.isEmpty
                        ? "." : ($0 as NSString).deletingLastPathComponent)
                        + "/duplicate-decisions.csv"
                }
                let settings = try mapping.map { path in
                    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                        throw CustmigError(
                            .unreadableInput, code: "MAP-FILE", "cannot read the mapping \(path).",
                            fix: "check the path (e.g. --mapping Mappings/legacy-flat-csv/mapping.yaml).")
                    }
                    return try MappingLoader.duplicateSettings(text, file: path)
                }
                let line = progress.start()
                let summary = try await DuplicatesStage.run(
                    workspace: space, mapRun: mapRun, settings: settings, decisionsFile: decisions, command: command,
                    maskPII: maskPii, progress: line.handler)
                line.finish()
                if summary.outcome == "unchanged" {
                    Terminal.out(
                        "duplicates run \(summary.run): map run \(summary.mapRun) was matched already; nothing to do.")
                } else {
                    Terminal.out("duplicates run \(summary.run) on map run \(summary.mapRun):")
                }
                Terminal.out("  customers       \(summary.customers)")
                Terminal.out("  pairs compared  \(summary.pairsCompared)")
                Terminal.out(
                    "  auto-merged     \(summary.autoMerged) pairs in \(summary.clusters) clusters (\(summary.mergedAway) customers merged away)"
                )
                Terminal.out(
                    "  for review      \(summary.forReview) pairs ("
                        + SuggestedCommand.text("duplicates review --out pairs.csv", workspace: space.path) + ")")
                if summary.decisionsApplied > 0 {
                    Terminal.out("  decisions       \(summary.decisionsApplied) applied")
                }
                for stale in summary.decisionsStale { Terminal.out("  decision no longer applies: \(stale)") }
                for report in summary.reports { Terminal.out("report: \(report)") }
                if summary.unblocked > 0 {
                    Terminal.out(
                        "  not compared    \(summary.unblocked) customers without any blocking key (no VAT id, postal code, city, phone or email)"
                    )
                }
            }
        }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export the pairs that need a steward's decision to CSV.",
            discussion: HelpText.flowing(
                """
                One row per pair of the latest duplicates run scored between the review and auto-merge
                thresholds, with both names and cities and the per-field evidence. Fill decision (merge or
                keep_apart) and who, then record the file with custmig duplicates decide.

                Examples:
                  custmig duplicates review --out pairs.csv
                """))

        @OptionGroup var workspace: WorkspaceOptions

        @Option(help: "The CSV to write.")
        var out: String = "duplicate-pairs.csv"

        @Flag(
            help:
                "Mask the names and cities (keys, scores and evidence stay, so decisions can still be filled in), for a wider audience."
        )
        var maskPii = false

        func run() throws {
            try runReportingErrors {
                let space = try workspace.open(command: "custmig duplicates review", writer: false)
                let count = try DuplicateReview.export(workspace: space, to: out, maskPII: maskPii)
                Terminal.out("\(count) pairs to decide written to \(out)")
            }
        }
    }

    struct Decide: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a steward's decisions beside the mapping, where every later run re-applies them.",
            discussion: HelpText.flowing(
                """
                Reads the rows of FILE whose decision is filled (merge or keep_apart), checks each key against
                the latest map run and the whole decisions file for contradictions (A=B, B=C but A≠C, refused
                with the lines), and appends them to duplicate-decisions.csv beside the mapping. The file is
                part of the mapping version: bump its version before the next map.

                Examples:
                  custmig duplicates decide pairs.csv --mapping Mappings/legacy-flat-csv/mapping.yaml
                """))

        @Argument(help: "The filled-in export of custmig duplicates review.")
        var file: String

        @Option(help: "The mapping beside which the decisions are kept.")
        var mapping: String

        @OptionGroup var workspace: WorkspaceOptions

        func run() throws {
            try runReportingErrors {
                let space = try workspace.open(command: "custmig duplicates decide", writer: false)
                let count = try DuplicateReview.decide(workspace: space, stewardFile: file, mappingPath: mapping)
                Terminal.out(
                    "\(count) decisions recorded beside \(mapping); apply them with "
                        + SuggestedCommand.text(
                            "duplicates --mapping \(SuggestedCommand.shellQuoted(mapping))", workspace: space.path)
                )
            }
        }
    }
}
