import ArgumentParser
import CustmigCore

/// `--target`, parsed into a location when the command line is read (a typo fails before anything runs).
struct TargetOptions: ParsableArguments {
    @Option(
        name: .customLong("target"),
        help: ArgumentHelp(
            "The target: sqlite:PATH or postgresql://USER@HOST:PORT/DB?schema=NAME.",
            discussion:
                "Where a plan is named, the default is the target it was made against. PostgreSQL takes libpq's PG* variables and ~/.pgpass; a password is never printed or stored.",
            valueName: "location"),
        transform: { try TargetLocation(parsing: $0) })
    var location: TargetLocation?

    /// Opens the given target, or the one plan `plan` was made against.
    func open(plan: String?, ledger: Ledger) throws -> any Target {
        if let location { return try TargetRegistry.open(location) }
        guard let plan else {
            throw CustmigError(
                .usage, code: "TARGET-MISSING", "no target given.",
                fix: "pass --target sqlite:PATH or --target postgresql://USER@HOST:PORT/DB?schema=NAME.")
        }
        return try TargetRegistry.open(try PlanStore.targetLocation(of: plan, ledger: ledger))
    }
}
