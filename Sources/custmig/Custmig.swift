import ArgumentParser
import CustmigCore
import Foundation

@main
struct Custmig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custmig",
        abstract: "Migrate a legacy ERP customer master into a cloud ERP, in stages you can rehearse and undo.",
        discussion: HelpText.flowing(
            """
            Start by looking at your extracts:
              custmig peek Samples/customers.csv --limit 3
              custmig profile Samples/customers.csv Samples/debmas07.xml --out reports
            Exit codes: 0 done, 64 usage/config error, 66 unreadable input, 3 failed quality gate,
            4 stale or conflicting plan, 5 locked workspace, 1 internal failure.
            """),
        version: CustmigVersion.current,
        subcommands: [
            Peek.self, Profile.self, Map.self, Duplicates.self, TargetCommand.self, DryRun.self, Approve.self,
            PlanCommand.self,
            Cutover.self, Rollback.self, Reconcile.self, Crosswalk.self, Purge.self, Status.self,
            Explain.self, Samples.self,
        ]
    )

    /// A mistyped command is named with the closest one (`dryrun` -> `dry-run`), instead of its
    /// options being reported as unknown to the top-level command.
    static func main() async {
        MemoryLimit.fitArenas()
        let arguments = Array(CommandLine.arguments.dropFirst())
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        if let first = arguments.first, !first.hasPrefix("-"), !names.contains(first) {
            let close = Suggestion.closest(to: first, in: names)
            let error = CustmigError(
                .usage, code: "CLI-COMMAND", "custmig has no command \"\(first)\".",
                fix: (close.map { "did you mean \"\($0)\"? " } ?? "") + "custmig --help lists the commands.")
            Terminal.error("custmig: " + error.description)
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        await main(arguments)
    }
}
