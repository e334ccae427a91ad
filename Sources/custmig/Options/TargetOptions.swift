import ArgumentParser
import CustmigCore

/// `--target`, parsed into a location when the command line is read (a typo fails before anything runs),
/// with what a target reached over the network needs: a password file and a ceiling on calls.
struct TargetOptions: ParsableArguments {
    @Option(
        name: .customLong("target"),
        help: ArgumentHelp(
            "The target: sqlite:PATH, postgresql://USER@HOST:PORT/DB?schema=NAME or tryton://USER@HOST:PORT/DB?company=ID.",
            discussion:
                "Where a plan is named, the default is the target it was made against. PostgreSQL takes libpq's PG* variables and ~/.pgpass; Tryton takes CUSTMIG_TARGET_PASSWORD or --password-file. A password is never printed or stored.",
            valueName: "location"),
        transform: { try TargetLocation(parsing: $0) })
    var location: TargetLocation?

    @Option(help: "A file whose first line is the target's password (Tryton; wins over CUSTMIG_TARGET_PASSWORD).")
    var passwordFile: String?

    @Option(help: "At most this many calls per second to a target reached over its API (Tryton).")
    var maxCallsPerSecond: Double?

    /// Opens the given target, or the one plan `plan` was made against.
    func open(plan: String?, ledger: Ledger) throws -> any Target {
        if let passwordFile { TargetPassword.file = passwordFile }
        let target: any Target
        if let location {
            target = try TargetRegistry.open(location, workspace: ledger.folder)
        } else {
            guard let plan else {
                throw CustmigError(
                    .usage, code: "TARGET-MISSING", "no target given.",
                    fix:
                        "pass --target sqlite:PATH, --target postgresql://USER@HOST:PORT/DB?schema=NAME or --target tryton://USER@HOST:PORT/DB?company=ID."
                )
            }
            target = try TargetRegistry.open(
                try PlanStore.targetLocation(of: plan, ledger: ledger), workspace: ledger.folder)
        }
        if let tryton = target as? TrytonTarget { tryton.configure(maxCallsPerSecond: maxCallsPerSecond, retry: nil) }
        return target
    }
}
