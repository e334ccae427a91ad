import Foundation

/// Normalizes a VAT id (`DE 123 456 789` -> `DE123456789`) and checks its shape for the EU-27 (Greece is
/// `EL`; `GR` is accepted and rewritten), GB and XI, CH (`CHE123456789`, `MWST`/`TVA`/`IVA` dropped) and
/// NO (`NO123456789MVA`). An id without prefix gets the record's country prefix only when it then fits
/// that country's shape. Shapes only: checksums and registry lookups (VIES) are not done here.
public enum VATNormalizer {
    static let shapes: [String: String] = [
        "AT": "U[0-9]{8}", "BE": "[01][0-9]{9}", "BG": "[0-9]{9,10}", "CY": "[0-9]{8}[A-Z]", "CZ": "[0-9]{8,10}",
        "DE": "[0-9]{9}", "DK": "[0-9]{8}", "EE": "[0-9]{9}", "EL": "[0-9]{9}", "ES": "[A-Z0-9][0-9]{7}[A-Z0-9]",
        "FI": "[0-9]{8}", "FR": "[A-HJ-NP-Z0-9]{2}[0-9]{9}", "HR": "[0-9]{11}", "HU": "[0-9]{8}",
        "IE": "([0-9]{7}[A-W][A-I]?|[0-9][A-Z+*][0-9]{5}[A-W])", "IT": "[0-9]{11}", "LT": "([0-9]{9}|[0-9]{12})",
        "LU": "[0-9]{8}", "LV": "[0-9]{11}", "MT": "[0-9]{8}", "NL": "[0-9]{9}B[0-9]{2}", "PL": "[0-9]{10}",
        "PT": "[0-9]{9}", "RO": "[0-9]{2,10}", "SE": "[0-9]{10}01", "SI": "[0-9]{8}", "SK": "[0-9]{10}",
        "GB": "([0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})", "XI": "([0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})",
        "CH": "E[0-9]{9}", "NO": "[0-9]{9}MVA",
    ]

    /// Every shape is in ``SimplePattern``'s subset (a test holds it to that).
    static let expressions: [String: SimplePattern] = shapes.compactMapValues { SimplePattern($0) }

    /// The VAT prefix of a country (Greece uses EL).
    static func prefix(forCountry country: String) -> String { country == "GR" ? "EL" : country }

    public static func normalize(_ value: String, context: TransformContext) -> TransformResult {
        var compact = compacted(value)
        guard !compact.isEmpty else { return .ok("") }
        if compact.hasPrefix("CHE") {
            for suffix in ["MWST", "TVA", "IVA"] where compact.hasSuffix(suffix) { compact.removeLast(suffix.count) }
        }
        if compact.hasPrefix("NO") && !compact.hasSuffix("MVA") { compact += "MVA" }
        if compact.hasPrefix("GR") { compact = "EL" + compact.dropFirst(2) }
        let letters = compact.prefix(2)
        let lettered = startsWithTwoLetters(compact)
        if lettered, let expression = expressions[String(letters)] {
            let rest = String(compact.dropFirst(2))
            if matches(expression, rest) { return .ok(compact) }
            return .invalid(value, "\"\(value)\" does not have the shape of a \(letters) VAT id")
        }
        if let country = context.country, let expression = expressions[prefix(forCountry: country)],
            matches(expression, compact)
        {
            return .ok(prefix(forCountry: country) + compact)
        }
        if lettered {
            return .review(value, "\"\(value)\" has no VAT shape known to custmig (prefix \(letters))")
        }
        return .review(value, "\"\(value)\" has no country prefix and does not fit the record's country")
    }

    /// Whether the first two characters are letters: by byte for ASCII (nearly every id; asking a
    /// `Character` whether it is a letter looks it up in Unicode's tables, a fifth of normalizing an id).
    private static func startsWithTwoLetters(_ compact: String) -> Bool {
        let utf8 = compact.utf8
        if let first = utf8.first, first < 0x80, utf8.count >= 2 {
            let second = utf8[utf8.index(after: utf8.startIndex)]
            if second < 0x80 {
                func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
                return isLetter(first) && isLetter(second)
            }
        }
        return compact.prefix(2).allSatisfy { $0.isLetter }
    }

    private static func matches(_ expression: SimplePattern, _ text: String) -> Bool { expression.matches(text) }

    /// Upper case without spaces, dots, dashes, slashes and tabs; byte by byte for ASCII input.
    static func compacted(_ value: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if byte >= 0x80 { return value.uppercased().filter { !" .-/\t".contains($0) } }
            switch byte {
            case 0x20, 0x2E, 0x2D, 0x2F, 0x09: continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"): bytes.append(byte - 0x20)
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
