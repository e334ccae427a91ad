/// Normalizes an IBAN (spaces removed, upper case) and verifies its length for the country and its
/// ISO 7064 mod-97 check digits. A wrong checksum is invalid: it is never "repaired".
public enum IBANNormalizer {
    /// IBAN lengths per country (the SWIFT IBAN registry).
    public static let lengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "BY": 28,
        "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
        "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
        "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
        "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15,
        "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19,
        "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    ]

    public static func normalize(_ value: String) -> TransformResult {
        // The paper form (ECBS) prints "IBAN DE89 3704 …"; no country's IBAN starts with "IB".
        if value.utf8.count > 4, value.trimmedWhitespace.prefix(4).uppercased() == "IBAN" {
            let rest = value.trimmedWhitespace.dropFirst(4).drop { $0 == ":" || $0 == " " || $0 == "\t" }
            let result = normalize(String(rest))
            return result.isMapped ? result : TransformResult(value: value, verdict: result.verdict)
        }
        if let result = normalizeASCII(value) { return result }
        let compact = value.uppercased().filter { $0 != " " && $0 != "\t" && $0 != "-" }
        guard !compact.isEmpty else { return .ok("") }
        let country = String(compact.prefix(2))
        guard let length = lengths[country] else {
            return .invalid(value, "\"\(value)\" does not start with the code of a country that uses IBANs")
        }
        guard compact.count == length else {
            return .invalid(value, "\"\(value)\" has \(compact.count) characters; a \(country) IBAN has \(length)")
        }
        guard compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return .invalid(value, "\"\(value)\" holds characters an IBAN cannot have")
        }
        let valid = Array(compact.utf8).withUnsafeBufferPointer { ValueAnalyzer.isIBAN($0.baseAddress!, $0.count) }
        guard valid else { return .invalid(value, "\"\(value)\" fails the IBAN check digits (mod 97)") }
        return .ok(compact)
    }

    /// The same checks byte by byte, for the usual all-ASCII value; nil for anything else.
    private static func normalizeASCII(_ value: String) -> TransformResult? {
        var compact: [UInt8] = []
        compact.reserveCapacity(34)
        for byte in value.utf8 {
            switch byte {
            case 0x20, 0x09, 0x2D: continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"): compact.append(byte - 0x20)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): compact.append(byte)
            default: return nil
            }
        }
        guard compact.count >= 2 else { return nil }
        let country = String(decoding: compact[0..<2], as: UTF8.self)
        guard let length = lengths[country], compact.count == length else { return nil }
        let valid = compact.withUnsafeBufferPointer { ValueAnalyzer.isIBAN($0.baseAddress!, $0.count) }
        guard valid else { return .invalid(value, "\"\(value)\" fails the IBAN check digits (mod 97)") }
        return .ok(String(decoding: compact, as: UTF8.self))
    }
}
