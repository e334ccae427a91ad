import Foundation
import Synchronization

/// One cleansing step of a field mapping; a field's transforms run in order, each on the last one's output.
///
/// Example (YAML in a mapping): `transforms: [trim, {collapse_spaces: {}}, {truncate: 35}]`.
public enum Transform: Sendable, Equatable {
    case trim
    case collapseSpaces
    case upper
    case lower
    case title
    case stripLeadingZeros
    case regexReplace(pattern: String, replacement: String)
    case removeCharacters(String)
    case truncate(Int)
    case parseDecimal(decimal: Character, grouping: Character?)
    case parseDate(layouts: [String])
    case country
    case language
    case currency
    case phone
    case email
    case vatId
    case iban
    /// SAP ALPHA conversion in: pad an all-digit value with zeros to `length` (`100042` -> `0000100042`).
    case alpha(length: Int)
    /// SAP ALPHA conversion out: strip the zeros of an all-digit value (`0000100042` -> `100042`).
    case alphaOut

    /// The name mappings use for it.
    public var name: String {
        switch self {
        case .trim: return "trim"
        case .collapseSpaces: return "collapse_spaces"
        case .upper: return "upper"
        case .lower: return "lower"
        case .title: return "title"
        case .stripLeadingZeros: return "strip_leading_zeros"
        case .regexReplace: return "regex_replace"
        case .removeCharacters: return "remove_characters"
        case .truncate: return "truncate"
        case .parseDecimal: return "parse_decimal"
        case .parseDate: return "parse_date"
        case .country: return "country"
        case .language: return "language"
        case .currency: return "currency"
        case .phone: return "phone"
        case .email: return "email"
        case .vatId: return "vat_id"
        case .iban: return "iban"
        case .alpha: return "alpha"
        case .alphaOut: return "alpha_out"
        }
    }

    public func apply(_ value: String, context: TransformContext = TransformContext()) -> TransformResult {
        switch self {
        case .trim:
            return .ok(value.trimmedWhitespace)
        case .collapseSpaces:
            if value.hasNoSpaceRuns && value.utf8.first != 0x20 && value.utf8.last != 0x20 { return .ok(value) }
            if let collapsed = Self.collapsedASCII(value) { return .ok(collapsed) }
            // Tabs, line breaks (a multi-line street cell) and Unicode spaces (non-breaking) count as spaces.
            return .ok(value.split(whereSeparator: { $0.isWhitespace }).joined(separator: " "))
        case .upper:
            return .ok(value.uppercased())
        case .lower:
            return .ok(value.lowercased())
        case .title:
            return .ok(
                value.lowercased().split(separator: " ", omittingEmptySubsequences: false)
                    .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " "))
        case .stripLeadingZeros:
            let stripped = value.drop { $0 == "0" }
            return .ok(stripped.isEmpty && !value.isEmpty ? "0" : String(stripped))
        case .regexReplace(let pattern, let replacement):
            guard let expression = CompiledPatterns.shared.expression(pattern) else {
                return .invalid(value, "the pattern \(pattern) is not a valid regular expression")
            }
            guard let replaced = expression.boundedReplacingMatches(in: value, template: replacement) else {
                return .invalid(
                    value,
                    "the pattern \(pattern) could not be matched on this value within its step budget "
                        + "(nested repetition such as (a+)+ makes the matcher backtrack without end); "
                        + "write it without the nested repetition (a+ instead of (a+)+)")
            }
            return .ok(replaced)
        case .removeCharacters(let characters):
            return .ok(value.filter { !characters.contains($0) })
        case .truncate(let length):
            guard value.utf8.count > length, value.count > length else { return .ok(value) }
            // A cut that ends in a space would load the space: it goes too.
            var cut = value.prefix(length)
            while let last = cut.last, last.isWhitespace { cut.removeLast() }
            return .note(String(cut), "truncated from \(value.count) to \(cut.count) characters")
        case .parseDecimal(let decimal, let grouping):
            return DecimalParser.parse(value, decimal: decimal, grouping: grouping)
        case .parseDate(let layouts):
            return DateParser.parse(value, layouts: layouts)
        case .country:
            return CountryNormalizer.normalize(value)
        case .language:
            return LanguageNormalizer.normalize(value)
        case .currency:
            return CurrencyNormalizer.normalize(value)
        case .phone:
            return PhoneNormalizer.normalize(value, context: context)
        case .email:
            return EmailNormalizer.normalize(value)
        case .vatId:
            return VATNormalizer.normalize(value, context: context)
        case .iban:
            return IBANNormalizer.normalize(value)
        case .alpha(let length):
            // Checked by byte: a value of ASCII digits is as many characters as bytes (walking its
            // characters cost more than the rest of the transform).
            guard !value.isEmpty, value.utf8.allSatisfy(Self.isDigit) else { return .ok(value) }
            let digits = value.utf8.count
            guard digits <= length else {
                return .invalid(value, "\"\(value)\" has \(digits) digits; the field holds \(length)")
            }
            return .ok(String(repeating: "0", count: length - digits) + value)
        case .alphaOut:
            guard !value.isEmpty, value.utf8.allSatisfy(Self.isDigit) else { return .ok(value) }
            let stripped = value.drop { $0 == "0" }
            return .ok(stripped.isEmpty ? "0" : String(stripped))
        }
    }

    /// `collapse_spaces` of an ASCII value, by bytes: the words between runs of ASCII whitespace (tab,
    /// line feed, vertical tab, form feed, carriage return, space: what `Character.isWhitespace` says of
    /// ASCII), one space apart. Nil beyond ASCII, where splitting by characters (~4 µs a name) decides.
    static func collapsedASCII(_ value: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for byte in value.utf8 {
            guard byte < 0x80 else { return nil }
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace {
                bytes.append(0x20)
                pendingSpace = false
            }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Runs transforms in order; stops at the first that cannot map the value (returned as `failed`),
    /// keeping notes on the way.
    public static func chain(
        _ transforms: [Transform], _ value: String, context: TransformContext = TransformContext()
    ) -> (result: TransformResult, notes: [String], failed: Transform?) {
        var current = TransformResult.ok(value)
        var notes: [String] = []
        for transform in transforms {
            current = transform.apply(current.value, context: context)
            if case .note(let note) = current.verdict { notes.append("\(transform.name): \(note)") }
            if !current.isMapped { return (current, notes, transform) }
        }
        return (current, notes, nil)
    }
}

/// Regular expressions compiled once per pattern: compiling one per value cost ~12 µs, more than the
/// match (a `regex_replace` on 1M names spent 12 s of CPU compiling). `NSRegularExpression` is
/// immutable, so one instance serves every mapping thread.
final class CompiledPatterns: Sendable {
    static let shared = CompiledPatterns()
    /// Sendable by hand in its element only: `NSRegularExpression` is immutable (Foundation documents it
    /// as thread-safe) but not marked Sendable on Linux.
    private struct Compiled: @unchecked Sendable {
        let expression: NSRegularExpression?
    }
    private let compiled = Mutex<[String: Compiled]>([:])

    func expression(_ pattern: String) -> NSRegularExpression? {
        compiled.withLock { compiled in
            if let known = compiled[pattern] { return known }
            let expression = Compiled(expression: try? NSRegularExpression(pattern: pattern))
            compiled[pattern] = expression
            return expression
        }.expression
    }
}
