/// How a CSV extract is written: delimiter, quote, header, line endings.
public struct CSVDialect: Sendable, Hashable, Codable {
    public var delimiter: UInt8
    public var quote: UInt8 = UInt8(ascii: "\"")
    public var hasHeader = true
    public var lineEnding: LineEnding = .lf

    public enum LineEnding: String, Sendable, Codable {
        case lf = "LF"
        case crlf = "CRLF"
        case cr = "CR"
        case mixed = "mixed"
        case none = "none"
    }

    public init(delimiter: UInt8, hasHeader: Bool = true) {
        self.delimiter = delimiter
        self.hasHeader = hasHeader
    }

    /// The delimiter as people write it: `,` `;` `|` or `tab`.
    public var delimiterName: String {
        delimiter == 9 ? "tab" : String(UnicodeScalar(delimiter))
    }

    /// Parses `--delimiter` values: one ASCII character, or `tab` / `\t`.
    public static func parseDelimiter(_ text: String) -> UInt8? {
        switch text.lowercased() {
        case "tab", "\\t", "\t": return 9
        case "comma": return UInt8(ascii: ",")
        case "semicolon": return UInt8(ascii: ";")
        case "pipe": return UInt8(ascii: "|")
        default:
            guard text.utf8.count == 1, let byte = text.utf8.first, byte < 0x80, byte != 0x22, byte != 10, byte != 13
            else { return nil }
            return byte
        }
    }
}
