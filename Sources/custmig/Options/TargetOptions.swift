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

    @Option(
        help: ArgumentHelp(
            "How often a failed call to a target reached over its API is retried (0 to 20, default 7).",
            discussion:
                "Timeouts, lost connections, 5xx and 429 are retried after an exponential, jittered pause (0.5 s doubling up to 30 s; about a minute in all by default); when the retries run out the command stops with exit code 66 and a rerun resumes."
        ))
    var retries: Int?

    @Option(help: "Seconds a call to a target reached over its API may take before it is retried (default 120).")
    var callTimeout: Double?

    @Option(
        help: ArgumentHelp(
            "Calls a cutover into a target reached over its API keeps in flight at once (1-16, default 1).",
            discussion:
                "Each connection logs in on its own; --max-calls-per-second still caps them together. Measure before raising it: Tryton on SQLite runs one write at a time and gains nothing."
        ))
    var connections: Int?

    @Option(help: "Customers per create or write call to a target reached over its API (1-1000, default 100).")
    var callSize: Int?

    /// Opens the given target, or the one plan `plan` was made against.
    func open(plan: String?, ledger: Ledger) throws -> any Target {
        if let passwordFile { TargetPassword.file = passwordFile }
        let target: any Target
        if let location {
            target = try TargetRegistry.open(location, workspace: ledger.folder, calls: try callSettings())
        } else {
            guard let plan else {
                throw CustmigError(
                    .usage, code: "TARGET-MISSING", "no target given.",
                    fix:
                        "pass --target sqlite:PATH, --target postgresql://USER@HOST:PORT/DB?schema=NAME or --target tryton://USER@HOST:PORT/DB?company=ID."
                )
            }
            target = try TargetRegistry.open(
                try PlanStore.targetLocation(of: plan, ledger: ledger), workspace: ledger.folder,
                calls: try callSettings())
        }
        return target
    }

    /// The API call settings the options give (Tryton), checked.
    func callSettings() throws -> APICallSettings {
        var settings = APICallSettings()
        if let retries, !(0...20).contains(retries) {
            throw CustmigError(
                .usage, code: "USAGE-RETRIES", "--retries \(retries) is out of range.", fix: "give 0 to 20.")
        }
        if let callTimeout, !(1...3600).contains(callTimeout) {
            throw CustmigError(
                .usage, code: "USAGE-CALL-TIMEOUT", "--call-timeout \(callTimeout) is out of range.",
                fix: "give 1 to 3600 seconds.")
        }
        if let connections, !(1...16).contains(connections) {
            throw CustmigError(
                .usage, code: "USAGE-CONNECTIONS", "--connections \(connections) is out of range.", fix: "give 1 to 16."
            )
        }
        if let callSize, !(1...1000).contains(callSize) {
            throw CustmigError(
                .usage, code: "USAGE-CALL-SIZE", "--call-size \(callSize) is out of range.",
                fix: "give 1 to 1000 customers per call.")
        }
        if let callSize { settings.callSize = callSize }
        settings.maxCallsPerSecond = maxCallsPerSecond
        if let connections { settings.connections = connections }
        if let retries { settings.retry = RetryPolicy(attempts: retries + 1) }
        if let callTimeout { settings.callTimeout = callTimeout }
        return settings
    }
}
