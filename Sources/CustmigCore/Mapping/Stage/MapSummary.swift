/// What a map run did, counted from the ledger (not from running counters).
public struct MapSummary: Sendable, Codable {
    public var run: Int64
    /// `done`, or `unchanged` when the same inputs were mapped already (a no-op).
    public var outcome: String
    public var mapping: String
    public var mappingVersion: Int
    public var mappingChecksum: String
    /// Records read (malformed ones included).
    public var read: Int
    /// Customers mapped clean.
    public var mapped: Int
    public var toReview: Int
    public var rejected: Int
    /// Records replaced by a later record with the same key (the `same_key` policy).
    public var superseded: Int
    public var malformed: Int
    /// Findings per rule, most frequent first.
    public var perRule: [RuleCount]
    /// Codes a value map did not know, once per code with how often: the 1,000 most frequent (a value
    /// map over a free-text column would otherwise list every record); the rest are in the report.
    public var unknownCodes: [UnknownCode]
    /// How many distinct unknown codes there are in all.
    public var unknownCodesTotal = 0
    static let unknownCodesListed = 1_000
    /// Steward corrections whose customer is not in these extracts (`corrections.csv:LINE KEY FIELD`).
    public var unmatchedCorrections: [String] = []
    /// Review decisions that settled nothing (the customer or its review item is gone).
    public var unmatchedDecisions: [String] = []
    /// What the readers found wrong with an extract as a whole (not with one record), e.g. an XML
    /// syntax error before the first record, no element at the record path, or no record at all.
    public var extractProblems: [String] = []
    /// True when reading an extract stopped early on an error (the rest of the file is unread), or a
    /// full-scope run read no record at all: the data is not what the migration needs.
    public var extractGateFailed = false
    /// Source fields and segments the mapping reads that no record of the extracts had
    /// (`Adresses/Address (addresses each)`): most often a misspelt XML element, which maps to nothing.
    public var unseenSources: [String] = []
    /// Rows of joined files whose key has no primary record, per file.
    public var orphans: [Orphans] = []
    public var rejectThresholdExceeded: Bool
    public var resumed: Bool
    public var elapsedSeconds: Double
    public var reports: [String]

    public struct RuleCount: Sendable, Codable {
        public var rule: String
        public var outcome: String
        public var count: Int
    }

    public struct Orphans: Sendable, Codable {
        public var source: String
        public var rows: Int
        public var keys: Int
        /// A few of the keys, for the data owner.
        public var examples: [String]
    }

    public struct UnknownCode: Sendable, Codable {
        public var valueMap: String
        public var code: String
        public var count: Int
    }
}
