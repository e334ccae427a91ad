import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct Cutover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply an approved plan to its target in checkpointed batches, after a snapshot.",
            discussion: HelpText.flowing(
                """
                Refuses an unapproved plan (unless --allow-unapproved, which is recorded), a superseded plan,
                and a plan made against another target. Takes a snapshot of the target before the first batch,
                then applies each batch in one target transaction with its checkpoint. Killed at any point,
                the same command resumes after the last committed batch; run again when done, it does nothing.
                A row changed in the target since the dry run is not overwritten: the batch stops with exit
                code 4 unless --skip-stale, which skips and reports such rows.

                Examples:
                  custmig cutover latest
                  custmig cutover 3 --target sqlite:sandbox.db --batch-size 10000
                """))

        @Argument(help: "The plan id, or latest.")
        var plan: String

        @OptionGroup var target: TargetOptions

        @OptionGroup var workspace: WorkspaceOptions

        @Option(
            help: ArgumentHelp(
                "Customers per batch and checkpoint (1 to 1,000,000), in plan order (default: the plan's batches, as dry-run --batch-size cut them).",
                discussion: "A resumed cutover must use the same value; it is kept in the target's bookkeeping."))
        var batchSize: Int?

        @Flag(help: "Apply a plan nobody approved (recorded with the plan).")
        var allowUnapproved = false

        @Flag(help: "Skip and report rows changed in the target since the dry run, and go on.")
        var skipStale = false

        @OptionGroup var progress: ProgressOptions

        func run() async throws {
            try await runReportingErrors {
                let command = RecordedCommand.current
                let space = try workspace.open(command: command, writer: true)
                let opened = try target.open(plan: plan, ledger: space.ledger)
                defer { try? opened.close() }
                var options = CutoverOptions(command: command)
                options.allowUnapproved = allowUnapproved
                options.skipStale = skipStale
                options.batchSize = batchSize
                let line = progress.start()
                let summary = try await CutoverStage.run(plan: plan, workspace: space, target: opened, options: options)
                {
                    step in
                    line.update(
                        StageProgress(
                            "cutover", done: Int64(step.batch), total: Int64(step.batches), unit: .batches,
                            detail: "\(Int(step.rate)) customers/s"
                                + (opened.callStatistics.map { ", \($0.calls) calls, \($0.retries) retries" } ?? "")))
                }
                line.finish()
                if summary.outcome == "already applied" {
                    Terminal.out("plan \(summary.plan) is already applied to \(opened.location); nothing to do.")
                    Self.showRefusals(summary.refused)
                    return
                }
                Terminal.out(
                    "plan \(summary.plan): \(summary.batchesApplied) batches applied (\(summary.actionsApplied) customers)"
                        + (summary.batchesResumed > 0 ? ", \(summary.batchesResumed) committed before (resumed)" : "")
                        + " of \(summary.batches) in \(String(format: "%.1f", summary.elapsedSeconds)) s"
                        + (summary.elapsedSeconds > 0 && summary.actionsApplied > 0
                            ? " (\(Int(Double(summary.actionsApplied) / summary.elapsedSeconds)) customers/s)" : ""))
                if let calls = opened.callStatistics {
                    Terminal.out(
                        "calls: \(calls.calls) to \(opened.location.redacted) (\(calls.retries) retries), "
                            + String(format: "%.1f s waiting for answers", calls.seconds))
                }
                if let snapshot = summary.snapshot { Terminal.out("snapshot: \(snapshot)") }
                if summary.unapprovedAllowed { Terminal.out("applied without approval (--allow-unapproved, recorded)") }
                if summary.conflictsNotApplied > 0 {
                    Terminal.out("\(summary.conflictsNotApplied) conflicts not applied (see the plan report)")
                }
                for stale in summary.stale.prefix(20) { Terminal.out("stale: \(stale.canonicalKey): \(stale.problem)") }
                Self.showRefusals(summary.refused)
                if summary.outcome == "done" {
                    try await Reconcile.reconcile(
                        plan: String(summary.plan), workspace: space, target: opened,
                        command: SuggestedCommand.text(
                            "reconcile --plan \(summary.plan)", workspace: space.path, target: opened.location.redacted),
                        progress: line.handler)
                }
                if summary.outcome == "stopped on stale rows" {
                    throw CustmigError(
                        .stalePlan, code: "CUTOVER-STALE",
                        "\(summary.stale.count) rows changed in the target since plan \(summary.plan) was made; their batch was not applied.",
                        fix:
                            "dry-run again for a fresh plan, or rerun with --skip-stale to leave those rows alone and go on."
                    )
                }
            }
        }

        /// What the target refused while the rest of its batches loaded (this run's and earlier runs').
        static func showRefusals(_ refused: [CutoverRefusal]) {
            guard !refused.isEmpty else { return }
            Terminal.out("\(refused.count) customers refused by the target (the rest of their batches loaded):")
            for refusal in refused.prefix(20) {
                Terminal.out("  refused: \(refusal.canonicalKey) (\(refusal.customerId)): \(refusal.message)")
            }
        }
    }
}
