import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct Reconcile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the target against a plan: counts on both sides, control totals, every customer's row.",
            discussion: HelpText.flowing(
                """
                Counts the map run's records and the plan's actions in the ledger, checks every customer of the
                plan in the target (written rows must be the plan's, others as the plan read them), and compares
                the plan's control totals (customers per status, country and account group; child rows; credit
                limits per currency) with the target's. Writes reconciliation.html and .json beside the plan's
                report. Exit code 3 on any mismatch. Also run at the end of every cutover.

                Examples:
                  custmig reconcile --target sqlite:sandbox.db
                """))

        @OptionGroup var target: TargetOptions

        @Option(
            name: [.customLong("plan"), .customLong("run")],
            help: "The plan (default: latest); --run is accepted for it.")
        var plan: String = "latest"

        @OptionGroup var workspace: WorkspaceOptions

        @Flag(help: "Mask the names of the customers that differ in the reports, for a wider audience.")
        var maskPii = false

        @OptionGroup var progress: ProgressOptions

        func run() async throws {
            try await runReportingErrors {
                let space = try workspace.open(command: "custmig reconcile", writer: false)
                let opened = try target.open(plan: plan, ledger: space.ledger)
                defer { try? opened.close() }
                try await Self.reconcile(
                    plan: plan, workspace: space, target: opened, maskPII: maskPii, command: RecordedCommand.current,
                    progress: progress.start().handler)
            }
        }

        static func reconcile(
            plan: String, workspace: Workspace, target: any Target, maskPII: Bool = false, command: String,
            progress: ProgressHandler? = nil
        ) async throws {
            let result = try await ReconcileStage.run(
                plan: plan, workspace: workspace, target: target, maskPII: maskPII, command: command,
                progress: progress)
            ProgressLine.shared.finish()
            func line(_ values: [String: Int]) -> String {
                values.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            }
            Terminal.out(
                "reconciliation of plan \(result.plan) with \(result.target): \(result.matches ? "matches" : "MISMATCH")"
            )
            Terminal.out("  source   \(result.sourceSummary)")
            Terminal.out("  planned  \(line(result.planned))")
            Terminal.out("  target   \(line(result.inTarget))")
            Terminal.out("  control totals \(result.expectedTotals == result.targetTotals ? "equal" : "differ")")
            for mismatch in result.mismatches.prefix(10) {
                Terminal.out(
                    "  \(mismatch.canonicalKey) (\(mismatch.customerId), \(mismatch.action)"
                        + (mismatch.name.map { ", \($0)" } ?? "") + "): \(mismatch.problem)")
            }
            for report in result.reports { Terminal.out("report: \(report)") }
            if !result.matches {
                let committed = result.batchesCommitted ?? 0
                let fix: String
                if committed == 0 {
                    fix =
                        "no batch of plan \(result.plan) is committed in this target: it was not cut over yet, or it was "
                        + "rolled back (then differences are expected). Run "
                        + SuggestedCommand.text("cutover \(result.plan)", workspace: workspace.path) + " to apply it."
                } else if let batches = result.batches, committed < batches {
                    fix =
                        "\(committed) of \(batches) batches are committed: the cutover stopped half way; "
                        + "resume it with the same custmig cutover command."
                } else {
                    fix =
                        "read the reconciliation report: the customers listed were changed in the target after the "
                        + "cutover, or the cutover did not write what the plan says."
                }
                throw CustmigError(
                    .qualityGate, code: "RECONCILE-MISMATCH",
                    "\(result.mismatchCount) customers differ from plan \(result.plan)"
                        + (result.expectedTotals == result.targetTotals ? "." : ", and the control totals differ."),
                    fix: fix)
            }
        }
    }

    struct Crosswalk: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The crosswalk: legacy key -> target customer, and what custmig loaded there last.",
            subcommands: [Export.self, Show.self])

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Show one loaded customer: its target id, the plan that loaded it last, and the values loaded.",
                discussion: HelpText.flowing(
                    """
                    KEY is a canonical key, a target customer id or a legacy key of the latest map run. Says whether
                    the target row is still as loaded.

                    Examples:
                      custmig crosswalk show 0000100042 --target sqlite:sandbox.db
                      custmig crosswalk show 100042 --json
                    """))

            @Argument(help: "A canonical key, target customer id or legacy key.")
            var key: String

            @OptionGroup var target: TargetOptions

            @Flag(help: "Print JSON instead of text.")
            var json = false

            @OptionGroup var workspace: WorkspaceOptions

            func run() throws {
                try runReportingErrors {
                    let space = try workspace.open(command: "custmig crosswalk show", writer: false)
                    let opened = try target.open(plan: "latest", ledger: space.ledger)
                    defer { try? opened.close() }
                    let entry = try CrosswalkShow.entry(key, workspace: space, target: opened)
                    if json {
                        try Terminal.json(entry)
                    } else {
                        Terminal.out(CrosswalkEntryText.render(entry))
                    }
                }
            }
        }

        struct Export: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write legacy_key,canonical_key,target_customer_id,how as CSV.",
                discussion: HelpText.flowing(
                    """
                    Examples:
                      custmig crosswalk export --target sqlite:sandbox.db --out crosswalk.csv
                    """))

            @OptionGroup var target: TargetOptions

            @Option(help: "The CSV to write.")
            var out: String = "crosswalk.csv"

            @OptionGroup var workspace: WorkspaceOptions

            func run() throws {
                try runReportingErrors {
                    let space = try workspace.open(command: "custmig crosswalk export", writer: false)
                    let opened = try target.open(plan: "latest", ledger: space.ledger)
                    defer { try? opened.close() }
                    let count = try CrosswalkExport.write(workspace: space, target: opened, to: out)
                    Terminal.out("\(count) legacy keys written to \(out)")
                }
            }
        }
    }
}
