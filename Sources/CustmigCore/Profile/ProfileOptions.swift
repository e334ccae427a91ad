/// How to profile an extract.
public struct ProfileOptions: Sendable {
    public var extract: ExtractOptions
    /// Worker threads computing statistics (the reading thread comes on top).
    public var workers: Int
    public var maskPII: Bool
    /// Fields to mask besides those detected as personal data.
    public var piiFields: Set<String>
    /// How many malformed records to keep as samples in the report.
    public var malformedSampleLimit = 100
    /// Fields profiled one by one, in the order they first appear; the rest are counted and named in a
    /// warning. A customer master has hundreds of fields; a file with 300,000 different element
    /// names is not one, and profiling each field of it took 23 GB.
    public var fieldLimit = 10_000

    public init(
        extract: ExtractOptions = ExtractOptions(), workers: Int = 2, maskPII: Bool = false, piiFields: Set<String> = []
    ) {
        self.extract = extract
        self.workers = max(1, workers)
        self.maskPII = maskPII
        self.piiFields = piiFields
    }
}
