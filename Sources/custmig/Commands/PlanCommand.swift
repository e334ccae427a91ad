import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct PlanCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Work with a stored plan: export it whole.",
            subcommands: [Export.self])

        struct Export: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Stream a plan's actions, or every field of every customer, to CSV or JSON Lines.",
                discussion: HelpText.flowing(
                    """
                    The dry run's plan.csv and plan.json hold one line per customer action and one per changed
                    field of updates and conflicts. --fields adds every field of every insert: the full image
                    the cutover writes (20-30 lines a customer), which the plan report sizes for you. The format
                    follows the name: .csv or .jsonl (JSON Lines), gzip-compressed when it ends in .gz.

                    Examples:
                      custmig plan export latest --fields --out plan-fields.csv.gz
                      custmig plan export 3 --out plan-3.jsonl
                    """))

            @Argument(help: "The plan id, or latest.")
            var plan: String

            @Flag(help: "Every field of every action, inserts included.")
            var fields = false

            @Option(help: "The file to write: .csv, .jsonl, or either with .gz.")
            var out: String

            @Flag(help: "Mask emails, phones, tax ids, IBANs and contact names, for a wider audience.")
            var maskPii = false

            @OptionGroup var workspace: WorkspaceOptions

            func run() async throws {
                try await runReportingErrors {
                    let space = try workspace.open(command: RecordedCommand.current, writer: false)
                    let written = try await PlanExport.export(
                        plan: plan, workspace: space, fields: fields, to: out, mask: maskPii)
                    Terminal.out(
                        "plan \(written.plan): \(written.actions) actions, \(written.lines) lines "
                            + "(\(ByteCount.text(written.bytes)) before compression) written to \(written.path)")
                }
            }
        }
    }
}
