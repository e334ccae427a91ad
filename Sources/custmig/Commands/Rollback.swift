import ArgumentParser
import CustmigCore
import Foundation

extension RollbackMode: ExpressibleByArgument {}

extension Custmig {
    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo a cutover: surgically from its undo log, or by restoring its snapshot.",
            discussion: HelpText.flowing(
                """
                surgical (default): deletes what the cutover inserted and restores what it updated, batch by
                batch in reverse; a row someone edited since the cutover, or one referenced by a customer the
                cutover did not create, is kept and reported. Restartable; run again when done, it does nothing.
                snapshot: verifies the snapshot's checksum, copies the current target aside (so the rollback can
                itself be undone), restores the snapshot and checks its row counts.

                Examples:
                  custmig rollback latest
                  custmig rollback 3 --target sqlite:sandbox.db --mode snapshot
                """))

        @Argument(help: "The plan whose cutover to undo, or latest.")
        var plan: String

        @OptionGroup var target: TargetOptions

        @Option(help: "surgical or snapshot.")
        var mode: RollbackMode = .surgical

        @OptionGroup var workspace: WorkspaceOptions

        @OptionGroup var progress: ProgressOptions

        func run() throws {
            try runReportingErrors {
                let command = RecordedCommand.current
                let space = try workspace.open(command: command, writer: true)
                let opened = try target.open(plan: plan, ledger: space.ledger)
                defer { try? opened.close() }
                let line = progress.start()
                let summary = try RollbackStage.run(
                    plan: plan, mode: mode, workspace: space, target: opened, command: command, progress: line.handler)
                line.finish()
                if summary.outcome == "nothing to undo" {
                    Terminal.out("plan \(summary.plan): nothing left to undo in \(opened.location).")
                    if summary.ledgerCaughtUp {
                        Terminal.out(
                            "The workspace still recorded the cutover as applied (a rollback stopped after its last batch); "
                                + "it now records the plan as rolled back.")
                    }
                    return
                }
                if mode == .snapshot {
                    Terminal.out(
                        "plan \(summary.plan): the target is restored from its snapshot; its state before this rollback is in \(summary.safetySnapshot ?? "?")"
                    )
                } else {
                    Terminal.out(
                        "plan \(summary.plan): \(summary.deleted) customers deleted, \(summary.restored) restored, \(summary.kept.count) kept"
                    )
                    for kept in summary.kept.prefix(20) { Terminal.out("  kept \(kept)") }
                }
            }
        }
    }
}
