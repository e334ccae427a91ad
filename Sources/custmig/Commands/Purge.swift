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

                Examples:
                  custmig purge --run 1 --target sqlite:production.db
                  custmig purge --before 2026-12-31
                """))

        @Option(name: .customLong("run"), help: "A map run to purge (repeatable).")
        var runs: [Int64] = []

        @Option(help: "Purge every map run started before this date (yyyy-MM-dd).")
        var before: String?

        @OptionGroup var target: TargetOptions

        @Flag(help: "Purge even a run whose plan's cutover stopped halfway (it can then not resume).")
        var evenInterrupted = false

        @OptionGroup var workspace: WorkspaceOptions

        func validate() throws {
            if runs.isEmpty && before == nil { throw ValidationError("name --run R or --before DATE.") }
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
                let opened = try target.location.map { try TargetRegistry.open($0, workspace: space.ledger.folder) }
                defer { try? opened?.close() }
                let summary = try PurgeStage.run(
                    runs: runs, before: before.flatMap(Self.date), workspace: space, target: opened, command: command,
                    evenInterrupted: evenInterrupted)
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
