/// A streaming source of ``Record``s: `next()` gives nil at the end (as Spring Batch's ItemReader).
///
/// Malformed records are never returned; they are collected as ``Finding``s that the caller drains
/// as it goes, so a stage can quarantine them and go on.
public protocol ExtractReader: AnyObject {
    var description: ExtractDescription { get }
    var recordCount: Int { get }
    var malformedCount: Int { get }
    func next() throws -> Record?
    /// Findings met since the last call, in order.
    func drainFindings() -> [Finding]
}

/// What a reader found out about its extract before reading records.
public struct ExtractDescription: Sendable, Hashable {
    public var path: String
    public var format: ExtractFormat
    public var encoding: DetectedEncoding
    public var dialect: CSVDialect?
    public var recordPath: String?
    /// CSV column names; empty for XML.
    public var columns: [String]
    /// XML: the encoding named in the XML declaration, if any.
    public var declaredEncoding: String?

    public init(
        path: String, format: ExtractFormat, encoding: DetectedEncoding, dialect: CSVDialect?, recordPath: String?,
        columns: [String], declaredEncoding: String? = nil
    ) {
        self.path = path
        self.format = format
        self.encoding = encoding
        self.dialect = dialect
        self.recordPath = recordPath
        self.columns = columns
        self.declaredEncoding = declaredEncoding
    }
}
