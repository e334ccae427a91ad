/// Normalizes an IBAN (spaces removed, upper case) and verifies its length for the country, its ISO 7064
/// mod-97 check digits and its national part's layout and check digits (`IBANStructure`). A wrong check
/// digit is invalid: it is never "repaired".
public enum IBANNormalizer {
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
        guard let length = IBANStructure.length(of: country) else {
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
        if let problem = IBANStructure.problem(Array(compact.utf8)) {
            return .invalid(value, "\"\(value)\" is not a valid \(country) IBAN: \(problem)")
        }
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
        guard compact.count >= 2, let layout = IBANStructure.layout(compact[0], compact[1]),
            compact.count == layout.length
        else { return nil }
        let country = layout.country
        let valid = compact.withUnsafeBufferPointer { ValueAnalyzer.isIBAN($0.baseAddress!, $0.count) }
        guard valid else { return .invalid(value, "\"\(value)\" fails the IBAN check digits (mod 97)") }
        if let problem = IBANStructure.problem(compact) {
            return .invalid(value, "\"\(value)\" is not a valid \(country) IBAN: \(problem)")
        }
        return .ok(String(decoding: compact, as: UTF8.self))
    }
}
