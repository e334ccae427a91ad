/// Where a record came from, precise enough for a later stage to point back at it or seek to it.
public struct SourcePosition: Sendable, Hashable, Codable {
    public var file: String
    /// 1-based physical line where the record starts.
    public var line: Int
    /// Byte offset in the file where the record starts; `nil` where bytes were transcoded (UTF-16).
    public var byteOffset: Int64?
    /// 1-based index of the record among the extract's records (malformed ones included).
    public var index: Int

    public init(file: String, line: Int, byteOffset: Int64?, index: Int) {
        self.file = file
        self.line = line
        self.byteOffset = byteOffset
        self.index = index
    }

    public var location: SourceLocation { SourceLocation(file: file, line: line) }
}
