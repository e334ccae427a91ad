import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where one customer's values came from: source fields, each transform, each rule.",
            discussion: HelpText.flowing(
                """
                Re-reads the customer's source record (refusing an extract whose SHA-256 changed since the run)
                and replays the mapping version stored in the ledger, with tracing.

                Examples:
                  custmig explain 100042
                  custmig explain 0000100042 --run 3 --json
                """))

        @Argument(help: "A legacy key (as in the extract) or a canonical key.")
        var key: String

        @OptionGroup var workspace: WorkspaceOptions

        @Option(name: .customLong("run"), help: "The map run (default: the latest run holding the key).")
        var runID: Int64?

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            try runReportingErrors {
                let space = try workspace.open(command: "custmig explain", writer: false)
                let explanation = try ExplainStage.explain(key: key, run: runID, workspace: space)
                if json {
                    try Terminal.json(explanation)
                    return
                }
                Terminal.out(ExplanationText.render(explanation))
            }
        }
    }
}
