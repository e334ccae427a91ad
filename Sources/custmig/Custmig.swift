import ArgumentParser
import CustmigCore

@main
struct Custmig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custmig",
        abstract: "Migrate a legacy ERP customer master into a cloud ERP, in stages you can rehearse and undo.",
        discussion: """
            Start by looking at your extracts:
              custmig peek Samples/customers.csv --limit 3
              custmig profile Samples/customers.csv Samples/debmas07.xml --out reports
            Exit codes: 0 done, 64 usage/config error, 66 unreadable input, 3 failed quality gate,
            4 stale or conflicting plan, 5 locked workspace, 1 internal failure.
            """,
        subcommands: [
            Peek.self, Profile.self, Map.self, Duplicates.self, TargetCommand.self, DryRun.self, Approve.self,
            Cutover.self, Rollback.self, Reconcile.self, Crosswalk.self, Purge.self, Status.self,
            Explain.self, Samples.self,
        ]
    )
}
