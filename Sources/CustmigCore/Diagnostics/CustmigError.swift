/// An error that stops a command, with enough context for a person to fix its cause.
///
/// Bad *records* are not errors: they are ``Finding``s and the run goes on. A `CustmigError` is thrown
/// only when the run cannot go on (a missing file, a usage mistake, an unreadable input), and it
/// always names where, what and how to fix it:
///
///     kna1.csv:1042: error: [CSV-QUOTE] unterminated quote. Fix: close the quote or re-export.
public struct CustmigError: Error, CustomStringConvertible, Sendable {
    /// The broad kind of failure; it decides the process exit code.
    public enum Kind: Sendable {
        /// Bad arguments or configuration (a mapping, an option value).
        case usage
        /// An input that could not be opened or read at all.
        case unreadableInput
        /// A quality gate failed (too many rejects, a reconciliation mismatch).
        case qualityGate
        /// A plan is stale or conflicting.
        case stalePlan
        /// Another process holds the workspace.
        case locked
        /// An unexpected internal failure (a bug).
        case internalFailure
        /// Stopped at a safe point on Ctrl-C or SIGTERM (what was kept stays; the fix says how to resume).
        case interrupted
    }

    public var kind: Kind
    /// A stable, greppable code such as `CSV-QUOTE` or `XML-DTD`.
    public var code: String
    public var message: String
    public var location: SourceLocation?
    /// What the user can do about it.
    public var fix: String?

    public init(_ kind: Kind, code: String, _ message: String, at location: SourceLocation? = nil, fix: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.location = location
        self.fix = fix
    }

    /// `file:line: error: [CODE] message. Fix: …`, the format compilers and linters use.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "error: [\(code)] \(message)"
        if let fix { text += " Fix: \(fix)" }
        return text
    }
}

extension CustmigError {
    static func missingFile(_ path: String) -> CustmigError {
        CustmigError(
            .unreadableInput, code: "IO-MISSING", "cannot open \"\(path)\": no such file.",
            fix: "check the path (relative paths resolve against the current directory).")
    }

    static func unreadable(_ path: String, errno code: Int32) -> CustmigError {
        CustmigError(
            .unreadableInput, code: "IO-READ", "cannot read \"\(path)\": \(String(cString: strerror(code))).",
            fix: "check the file's permissions and that it is a regular file.")
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
