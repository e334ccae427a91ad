/// How one canonical field got its value, step by step: what `custmig explain` prints.
public struct FieldTrace: Sendable, Codable {
    public struct Step: Sendable, Codable {
        /// `transform trim`, `value map payment_terms`, `default`.
        public var step: String
        public var output: String
        /// Nil when the step mapped the value; else why not.
        public var problem: String?
    }

    /// `name1`, `addresses[0].country`.
    public var field: String
    /// Where the value came from: `NAME1`, `concat(STREET, HOUSE)`, `constant "1000"`.
    public var source: String
    public var raw: String
    public var steps: [Step]
    /// The canonical value, or nil when the field stayed empty or could not be mapped.
    public var value: String?
}

/// Every field trace and rule verdict of one record.
public struct RecordTrace: Sendable, Codable {
    public struct Verdict: Sendable, Codable {
        public var rule: String
        /// `ok`, `reject` or `review`.
        public var outcome: String
        public var message: String?
    }

    public var fields: [FieldTrace]
    public var corrections: [String]
    public var rules: [Verdict]
    public var findings: [MappingFinding]
}

extension ValueSource {
    var traceDescription: String {
        switch self {
        case .field(let name): return name
        case .constant(let value): return "constant \"\(value)\""
        case .concat(let parts, let separator):
            return "concat(\(parts.map(\.traceDescription).joined(separator: ", ")); \"\(separator)\")"
        case .split(let inner, let separator, let part):
            return "split(\(inner.traceDescription), \"\(separator)\")[\(part)]"
        }
    }
}
