/// What `custmig samples` should write.
public struct SampleOptions: Sendable {
    public var rows: Int
    public var seed: UInt64
    public var formats: Set<ExtractFormat>
    /// Encoding of the flat CSV: windows-1252 (an AS/400 export) by default, or UTF-8 for benchmarks.
    public var csvEncoding: TextEncoding
    public var csvDelimiter: UInt8
    /// Share of customers that get a near-duplicate (ground truth is written for each).
    public var duplicateShare: Double
    /// Share of records that are outright broken (ragged rows, NUL bytes, invalid bytes, empty keys).
    public var brokenShare: Double
    /// Also write SAP table downloads (KNA1, KNVV, KNVP, KNB1, KNBK, KNVK as tab-separated text).
    public var sapTables = false
    /// Also write `persons.csv` (person customers, `Mappings/person-csv`) and its ground truth.
    public var persons = false

    public init(
        rows: Int, seed: UInt64 = 1, formats: Set<ExtractFormat> = [.csv, .xml],
        csvEncoding: TextEncoding = .windows1252,
        csvDelimiter: UInt8 = UInt8(ascii: ";"), duplicateShare: Double = 0.03, brokenShare: Double = 0.002
    ) {
        self.rows = rows
        self.seed = seed
        self.formats = formats
        self.csvEncoding = csvEncoding
        self.csvDelimiter = csvDelimiter
        self.duplicateShare = duplicateShare
        self.brokenShare = brokenShare
    }
}

/// What `custmig samples` wrote.
public struct SampleOutput: Sendable {
    public var files: [(path: String, records: Int, bytes: Int64)]
    public var duplicates: Int
    public var broken: Int
}
