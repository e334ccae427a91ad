/// The text encodings legacy extracts come in.
///
/// ASCII-compatible encodings (UTF-8 and the single-byte ones) are tokenized on their raw bytes, so
/// record byte offsets are file offsets; UTF-16 is transcoded to UTF-8 first.
public enum TextEncoding: String, Sendable, Codable, CaseIterable {
    case utf8 = "UTF-8"
    case utf16LE = "UTF-16LE"
    case utf16BE = "UTF-16BE"
    case windows1252 = "windows-1252"
    case iso8859_1 = "ISO-8859-1"
    case iso8859_15 = "ISO-8859-15"

    /// Accepts the usual spellings: `utf8`, `cp1252`, `latin1`, `latin-9`, `iso-8859-15`, …
    public init?(name: String) {
        let key = name.lowercased().filter { $0.isLetter || $0.isNumber }
        switch key {
        case "utf8": self = .utf8
        case "utf16le", "utf16": self = .utf16LE
        case "utf16be": self = .utf16BE
        case "windows1252", "cp1252", "win1252", "ansi": self = .windows1252
        case "iso88591", "latin1", "l1", "iso885911987": self = .iso8859_1
        case "iso885915", "latin9", "latin0", "l9": self = .iso8859_15
        default: return nil
        }
    }

    /// True when the encoding's bytes for ASCII are ASCII, so delimiters can be found on raw bytes.
    public var isASCIICompatible: Bool {
        switch self {
        case .utf16LE, .utf16BE: return false
        default: return true
        }
    }

    var isSingleByte: Bool {
        switch self {
        case .windows1252, .iso8859_1, .iso8859_15: return true
        default: return false
        }
    }

    /// Every accepted name, for help texts and error messages.
    public static let acceptedNames = "UTF-8, UTF-16LE, UTF-16BE, windows-1252 (cp1252), ISO-8859-1 (latin1), ISO-8859-15 (latin9)"
}
