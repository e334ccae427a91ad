import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "After go-live: remove the personal data the workspace keeps for map runs, and record it.",
            discussion: HelpText.flowing(
                """
                Removes the runs' canonical records, the source values quoted in their findings, their staged
                rows, the customer images of plans made from them and those plans' snapshots; with --target also
                the undo logs in the target (a purged cutover can then only be rolled back by hand). Counts,
                hashes, actions and reasons stay. The purge is recorded in the ledger.

                Between rehearsals: --reports removes the report folders of superseded plans (their plans stay
                in the ledger), and --keep-snapshots N removes all but the newest N safety copies that snapshot
                rollbacks leave in the workspace (a cutover's own snapshot stays until its run is purged).
                custmig status shows what each takes.

                Examples:
                  custmig purge --run 1 --target sqlite:production.db
                  custmig purge --before 2026-12-31
                  custmig purge --reports --keep-snapshots 1
                """))

        @Option(name: .customLong("run"), help: "A map run to purge (repeatable).")
        var runs: [Int64] = []

        @Option(help: "Purge every map run started before this date (yyyy-MM-dd).")
        var before: String?

        @OptionGroup var target: TargetOptions

        @Flag(help: "Purge even a run whose plan's cutover stopped halfway (it can then not resume).")
        var evenInterrupted = false

        @Flag(help: "Remove the report folders of superseded plans.")
        var reports = false

        @Option(help: "Keep the newest N safety copies of snapshot rollbacks, remove the others.")
        var keepSnapshots: Int?

        @OptionGroup var workspace: WorkspaceOptions

        @OptionGroup var progress: ProgressOptions

        func validate() throws {
            if runs.isEmpty && before == nil && !reports && keepSnapshots == nil {
                throw ValidationError(
                    "name --run R or --before DATE (personal data), or --reports / --keep-snapshots N.")
            }
            if let keepSnapshots, keepSnapshots < 0 {
                throw ValidationError("--keep-snapshots \(keepSnapshots): give 0 or more.")
            }
            if let before, Self.date(before) == nil {
                throw ValidationError("--before \(before): write a date as yyyy-MM-dd.")
            }
        }

        static func date(_ text: String) -> Date? {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            return formatter.date(from: text)
        }

        func run() throws {
            try runReportingErrors {
                let command = RecordedCommand.current
                let space = try workspace.open(command: command, writer: true)
                if reports || keepSnapshots != nil {
                    let tidy = try WorkspaceTidy.run(workspace: space, reports: reports, keepSnapshots: keepSnapshots)
                    Terminal.out(
                        "removed \(tidy.reportFolders.count) report folders of superseded plans and "
                            + "\(tidy.snapshotFiles.count) safety copies: \(ByteCount.text(tidy.bytesFreed)) freed")
                    for path in tidy.reportFolders + tidy.snapshotFiles { Terminal.out("  removed \(path)") }
                }
                guard !runs.isEmpty || before != nil else { return }
                let opened = try target.location.map { try TargetRegistry.open($0, workspace: space.ledger.folder) }
                defer { try? opened?.close() }
                let summary = try PurgeStage.run(
                    runs: runs, before: before.flatMap(Self.date), workspace: space, target: opened, command: command,
                    evenInterrupted: evenInterrupted, progress: progress.start().handler)
                ProgressLine.shared.finish()
                Terminal.out(
                    "purged map runs \(summary.runs.map(String.init).joined(separator: ", ")): \(summary.canonicalRecords) canonical records, "
                        + "\(summary.findingValues) quoted values, \(summary.planImages) plan rows' images, \(summary.snapshots.count) snapshots, "
                        + "\(summary.undoEntries) undo entries, \(summary.survivors) golden records, "
                        + "\(summary.reportFolders.count) report folders; the ledger compacted from "
                        + "\(summary.ledgerBytesBefore >> 10) KB to \(summary.ledgerBytesAfter >> 10) KB")
            }
        }
    }
}
