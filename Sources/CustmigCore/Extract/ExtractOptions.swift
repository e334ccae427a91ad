/// How to read an extract; every field left `nil` is detected from the file.
public struct ExtractOptions: Sendable, Hashable {
    public var format: ExtractFormat?
    public var encoding: TextEncoding?
    public var delimiter: UInt8?
    /// CSV: whether the first record names the columns.
    public var hasHeader = true
    /// CSV: lines before the header (or the first record) that are not data: a report's title, an
    /// export date, an empty line. Skipped as they are; line numbers stay the file's.
    public var skipLines = 0
    /// XML: the record element's path, e.g. `/DEBMAS07/IDOC/E1KNA1M`.
    public var recordPath: String?
    /// A CSV record (or XML text) larger than this is malformed rather than buffered further.
    public var maxRecordBytes = 64 << 20
    /// The fields records are made with (the ones a mapping reads); nil makes every field.
    public var fields: FieldSelection?

    public init(
        format: ExtractFormat? = nil, encoding: TextEncoding? = nil, delimiter: UInt8? = nil,
        recordPath: String? = nil
    ) {
        self.format = format
        self.encoding = encoding
        self.delimiter = delimiter
        self.recordPath = recordPath
    }
}
