import Foundation

/// A failure talking to Tryton: the transport's (retried, then reported as the environment) or the
/// server's own refusal of a call (a ``RefusedAction`` for the customers it was about).
public enum TrytonError: Error, Sendable, CustomStringConvertible {
    /// No answer, a dropped connection, a timeout, HTTP 5xx or 429: worth retrying as it is.
    case unavailable(String)
    /// HTTP 401 on login: wrong user or password.
    case login(String)
    /// The server refused the call: Tryton's exception type (`UserError`, `AccessError`, …) and message.
    case refused(type: String, message: String)
    /// An answer custmig cannot read.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .unavailable(let text): return text
        case .login(let text): return text
        case .refused(let type, let message): return "\(type): \(message)"
        case .protocolViolation(let text): return text
        }
    }

    /// A refusal about the data sent (not a failure of the server or of custmig).
    var isDataRefusal: Bool {
        if case .refused(let type, _) = self {
            return type == "UserError" || type == "UserWarning" || type == "DomainValidationError"
                || type.hasSuffix("ValidationError") || type == "SQLConstraintError"
                || type == "RequiredValidationError"
        }
        return false
    }
}

extension TrytonError: EnvironmentFailure {
    public var userError: CustmigError {
        switch self {
        case .unavailable(let text):
            return CustmigError(
                .unreadableInput, code: "TARGET-CONNECTION", "the Tryton server did not answer: \(text).",
                fix:
                    "check that trytond runs and is reachable, then run the same command again: it resumes where it stopped."
            )
        case .login(let text):
            return CustmigError(
                .usage, code: "TARGET-LOGIN", "Tryton refused the login: \(text).",
                fix: "check the user in the URI and the password in \(TargetPassword.variable) or --password-file.")
        case .refused(let type, let message):
            return CustmigError(
                .unreadableInput, code: "TARGET-REFUSED", "Tryton refused a call: \(type): \(message).",
                fix: "check the user's access rights in Tryton and the target's setup (custmig target check).")
        case .protocolViolation(let text):
            return CustmigError(
                .unreadableInput, code: "TARGET-PROTOCOL", "Tryton's answer could not be read: \(text).",
                fix: "check that the URI points at a trytond 8.x JSON-RPC endpoint (host, port, database).")
        }
    }
}
