/// The process exit codes every command uses; scripts rely on them (see the README's table).
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// The command did what was asked.
    case success = 0
    /// An unexpected internal failure.
    case internalFailure = 1
    /// Bad arguments, options or configuration (mapping file, code lists).
    case usage = 64
    /// An input could not be opened or read at all (missing, unreadable, not CSV/XML).
    case unreadableInput = 66
    /// A quality gate failed: too many rejects or malformed records, a reconciliation mismatch.
    case qualityGate = 3
    /// A plan is stale (the target changed since the dry run) or has unresolved conflicts.
    case stalePlan = 4
    /// Another process holds the workspace lock.
    case locked = 5
    /// Stopped on Ctrl-C or SIGTERM at a safe point (128 + SIGINT, as shells report it).
    case interrupted = 130

    public init(_ kind: CustmigError.Kind) {
        switch kind {
        case .usage: self = .usage
        case .unreadableInput: self = .unreadableInput
        case .qualityGate: self = .qualityGate
        case .stalePlan: self = .stalePlan
        case .locked: self = .locked
        case .internalFailure: self = .internalFailure
        case .interrupted: self = .interrupted
        }
    }
}
