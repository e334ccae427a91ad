/// What a cleansing transform made of one value.
///
/// A transform never guesses: a value it cannot map with certainty keeps its input and is sent to
/// review with the reason; a change that loses information (truncation) is reported as a note.
public struct TransformResult: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        /// Mapped (possibly unchanged).
        case ok
        /// Mapped, with information lost or changed in a way a steward should know (e.g. truncation).
        case note(String)
        /// Not mapped with certainty: a steward decides; the value is the input.
        case review(String)
        /// Not a valid value for this transform; the value is the input.
        case invalid(String)
    }

    public var value: String
    public var verdict: Verdict

    public static func ok(_ value: String) -> TransformResult { TransformResult(value: value, verdict: .ok) }

    public static func note(_ value: String, _ text: String) -> TransformResult {
        TransformResult(value: value, verdict: .note(text))
    }

    public static func review(_ value: String, _ reason: String) -> TransformResult {
        TransformResult(value: value, verdict: .review(reason))
    }

    public static func invalid(_ value: String, _ reason: String) -> TransformResult {
        TransformResult(value: value, verdict: .invalid(reason))
    }

    /// True when the value may flow on to the next transform.
    public var isMapped: Bool {
        switch verdict {
        case .ok, .note: return true
        case .review, .invalid: return false
        }
    }
}

/// What a transform may know about the record it works on.
public struct TransformContext: Sendable {
    /// ISO 3166-1 alpha-2 country of the record (for phone numbers and VAT ids without a prefix).
    public var country: String?

    public init(country: String? = nil) { self.country = country }
}
