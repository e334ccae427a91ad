import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct Duplicates: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find and merge duplicate customers of a map run into surviving (golden) records.",
            discussion: """
                Blocks customers by cheap keys (VAT id, country + postal code + name, city + name, phone,
                email), scores each pair field by field, merges pairs at or above the auto-merge score
                into clusters with one surviving record, lists pairs between the review and auto-merge
                scores for a steward, and updates the key map (legacy key -> golden key; golden keys are
                sticky across runs). Steward review files and the HTML report are not built yet.

                Examples:
                  custmig duplicates
                  custmig duplicates --workspace w --run 2
                """)

        @OptionGroup var workspace: WorkspaceOptions

        @Option(name: .customLong("run"), help: "The map run to match (default: the latest finished one).")
        var mapRun: Int64?

        func run() throws {
            try runReportingErrors {
                let command = (["custmig"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
                let space = try Workspace(path: workspace.path, command: command, writer: true)
                let summary = try DuplicatesStage.run(workspace: space, mapRun: mapRun, command: command)
                if summary.outcome == "unchanged" {
                    Terminal.out("duplicates run \(summary.run): map run \(summary.mapRun) was matched already; nothing to do.")
                } else {
                    Terminal.out("duplicates run \(summary.run) on map run \(summary.mapRun):")
                }
                Terminal.out("  customers       \(summary.customers)")
                Terminal.out("  pairs compared  \(summary.pairsCompared)")
                Terminal.out("  auto-merged     \(summary.autoMerged) pairs in \(summary.clusters) clusters (\(summary.mergedAway) customers merged away)")
                Terminal.out("  for review      \(summary.forReview) pairs")
                if summary.unblocked > 0 {
                    Terminal.out("  not compared    \(summary.unblocked) customers without any blocking key (no VAT id, postal code, city, phone or email)")
                }
            }
        }
    }
}
