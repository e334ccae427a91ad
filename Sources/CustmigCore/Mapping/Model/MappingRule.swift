/// A validation rule of a mapping, with what to tell the data steward.
public struct MappingRule: Sendable {
    public enum Kind: Sendable {
        /// The canonical field must not be empty.
        case required(String)
        /// No two records of the extract may share the field's value.
        case unique(String)
        /// The value must match the regular expression (whole value).
        case pattern(String, String)
        case allowed(String, [String])
        case length(String, min: Int?, max: Int?)
        /// Reject the record when the condition holds (e.g. the deletion flag is set).
        case rejectWhen(Condition)
        /// Send the record to review when the condition holds (e.g. a credit limit above 1,000,000).
        case reviewWhen(Condition)
        /// When `when` holds, `then` must hold too (e.g. a DE address needs a 5-digit postal code).
        case crossField(when: Condition, then: Condition)
    }

    /// What happens to a record that breaks the rule (`reject_when`/`review_when` say it themselves).
    public enum Severity: String, Sendable {
        case reject
        case review
    }

    public var id: String
    public var kind: Kind
    public var severity: Severity
    public var message: String
    public var fix: String?
    public var location: SourceLocation
}

/// A condition on canonical fields (or on raw source fields as `source.FIELD`).
public indirect enum Condition: Sendable {
    case equals(String, String)
    case notEquals(String, String)
    case isIn(String, [String])
    case notIn(String, [String])
    case greaterThan(String, Double)
    case lessThan(String, Double)
    case isEmpty(String)
    case isNotEmpty(String)
    case matches(String, String)
    case all([Condition])
    case any([Condition])
    case not(Condition)
}

extension MappingRule.Kind {
    /// The canonical path a rule on one field checks; nil for the kinds made of conditions.
    var fieldPath: String? {
        switch self {
        case .required(let path), .unique(let path), .pattern(let path, _), .allowed(let path, _),
            .length(let path, _, _):
            return path
        case .rejectWhen, .reviewWhen, .crossField: return nil
        }
    }
}

extension Condition {
    /// The path a single comparison reads; nil for `all`, `any` and `not`.
    var leafPath: String? {
        switch self {
        case .equals(let path, _), .notEquals(let path, _), .isIn(let path, _), .notIn(let path, _),
            .greaterThan(let path, _), .lessThan(let path, _), .isEmpty(let path), .isNotEmpty(let path),
            .matches(let path, _):
            return path
        case .all, .any, .not: return nil
        }
    }
}
