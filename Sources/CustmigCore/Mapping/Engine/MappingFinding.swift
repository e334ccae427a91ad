/// Why a record is rejected or held for review, with enough for a data steward to act on it.
public struct MappingFinding: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        case reject
        case review
        /// A steward's correction replaced a source value (kept as an audit trail).
        case corrected
        /// A steward approved a review item (kept as an audit trail).
        case approved
        /// Mapped, but information was lost on the way (a truncation): reported, never silent.
        case note
    }

    public var outcome: Outcome
    /// The rule id, or `transform:<name>` / `value_map:<name>` for cleansing problems.
    public var rule: String
    /// The canonical field (`addresses[0].country`) or source field it concerns.
    public var field: String?
    public var value: String?
    public var message: String
    public var fix: String?

    /// A finding's value as the ledger keeps it: up to 1,000 characters. The whole value stays in the
    /// source record; a 50 MB cell cut by `truncate` was stored again in full with its note.
    public static func stored(_ value: String?) -> String? {
        guard let value, value.utf8.count > 4_000 else { return value }
        let count = value.count
        guard count > 1_000 else { return value }
        return String(value.prefix(1_000)) + "… (\(count) characters in all; the whole value is in the source record)"
    }

    public init(
        _ outcome: Outcome, rule: String, field: String?, value: String?, message: String, fix: String? = nil
    ) {
        self.outcome = outcome
        self.rule = rule
        self.field = field
        self.value = value
        self.message = message
        self.fix = fix
    }
}

/// One source record mapped: the canonical customer (nil when it could not be built) and its findings.
public struct MappedRecord: Sendable {
    public var customer: CanonicalCustomer?
    public var findings: [MappingFinding]
    public var position: SourcePosition
    /// This record's values for `unique` rules, as (rule, value): the ledger's writer checks them
    /// against the records before it, in extract order, and keeps them for the records after.
    public var uniqueValues: [UniqueValue] = []

    public var isRejected: Bool { findings.contains { $0.outcome == .reject } }
    public var needsReview: Bool { !isRejected && findings.contains { $0.outcome == .review } }
}

/// A value registered with a `unique` rule.
public struct UniqueValue: Sendable, Hashable {
    public var rule: String
    public var value: String
}
