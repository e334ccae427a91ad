import CustmigCore

/// The command line as the ledger records it (runs, plans, approvals): a password written into a
/// target URI is blanked, since the ledger and its reports travel further than the shell history.
enum RecordedCommand {
    static var current: String {
        (["custmig"]
            + CommandLine.arguments.dropFirst().map { SuggestedCommand.shellQuoted(TargetLocation.withoutPassword($0)) })
            .joined(separator: " ")
    }
}
