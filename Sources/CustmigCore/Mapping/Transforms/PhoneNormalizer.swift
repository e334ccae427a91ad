import Foundation

/// Normalizes a phone number to E.164 (`+493012345678`), using the record's country for national numbers.
///
/// Accepts `+49 30 1234567`, `0049-30-1234567`, `+49(0)30 1234567`, `030/1234567`, `(030) 123 45 67`,
/// labelled numbers (`Tel. 030 1234567`, `tel:+49301234567`), full-width digits and,
/// in NANP countries, `(212) 555-0142` or `1-212-555-0142`. The national trunk prefix is dropped where the
/// country has one (`0` in Germany) and kept where it has none (Italy's leading `0` is part of the number).
/// Never guessed: a national number without a country, a German number without its trunk `0`, letters
/// or an unknown calling code go to review; a number too short or too long for E.164 is invalid.
public enum PhoneNormalizer {
    static let callingCodes: Set<String> = Set(CountryCodes.all.map(\.callingCode).filter { !$0.isEmpty })
    /// The trunk prefix of the first country listed with each calling code.
    static let trunkPrefixes: [String: String] = Dictionary(
        CountryCodes.all.map { ($0.callingCode, $0.trunkPrefix) }, uniquingKeysWith: { first, _ in first })
    /// Trunk prefixes in brackets that international numbers carry for national callers.
    static let bracketedTrunks = ["(0)", "( 0 )", "[0]"]

    public static func normalize(_ value: String, context: TransformContext) -> TransformResult {
        let trimmed = value.trimmedWhitespace
        guard !trimmed.isEmpty else { return .ok("") }
        var text = trimmed
        if !text.utf8.allSatisfy({ $0 < 0x80 }) {
            // Full-width digits and plus signs (Asian exports) are the same characters.
            text = text.folding(options: [.widthInsensitive], locale: nil)
        }
        text = withoutLabel(text)
        // "+49 (0) 30…": the bracketed trunk prefix is written for national callers only.
        for marker in bracketedTrunks where text.hasPrefix("+") && text.containsBytes(marker) {
            // By bytes for ASCII text (Foundation's replacement was a quarter of normalizing a number
            // that has one); text beyond ASCII keeps Foundation's, which does not split a character.
            let ascii = text.utf8.allSatisfy { $0 < 0x80 }
            text = ascii ? text.replacingBytes(of: marker, with: " ") : text.replacingOccurrences(of: marker, with: " ")
        }
        var digits: String
        var international: Bool
        if let scanned = asciiDigits(text) {
            (digits, international) = scanned
        } else {
            (digits, international) = ("", false)
            for (index, character) in text.enumerated() {
                if character.isASCII && character.isNumber {
                    digits.append(character)
                } else if character == "+" && index == 0 {
                    international = true
                } else if " -./()\t".contains(character) {
                    continue
                } else {
                    return .review(value, "\"\(value)\" holds \"\(character)\", which is not part of a phone number")
                }
            }
        }
        if digits.isEmpty {
            return .invalid(value, "\"\(value)\" holds no digits: a placeholder, not a phone number")
        }
        if !international && digits.hasPrefix("00") {
            international = true
            digits.removeFirst(2)
        }
        if international {
            var known: String?
            for length in 1...3 {
                let candidate = String(digits.prefix(length))
                if callingCodes.contains(candidate) {
                    known = candidate
                    break
                }
            }
            guard let code = known else {
                return .review(value, "\"\(value)\" starts with no known country calling code")
            }
            var national = String(digits.dropFirst(code.count))
            if trunkPrefixes[code] == "0", national.hasPrefix("0"), code != "39" {
                // "+49 030…": a trunk 0 written after the country code.
                national.removeFirst()
            }
            return check("+" + code + national, original: value)
        }
        guard let countryCode = context.country, let country = CountryCodes.byAlpha2[countryCode],
            !country.callingCode.isEmpty
        else {
            return .review(value, "\"\(value)\" is a national number and the record has no country to read it with")
        }
        if country.callingCode == "1" {
            if digits.count == 11 && digits.hasPrefix("1") { digits.removeFirst() }
            guard digits.count == 10 else {
                return .invalid(value, "\"\(value)\" has \(digits.count) digits; a NANP number has 10")
            }
            return check("+1" + digits, original: value)
        }
        if !country.trunkPrefix.isEmpty {
            guard digits.hasPrefix(country.trunkPrefix) else {
                return .review(
                    value,
                    "\"\(value)\" lacks the trunk prefix \(country.trunkPrefix) of \(country.alpha2): "
                        + "a local number without area code?")
            }
            digits.removeFirst(country.trunkPrefix.count)
        }
        return check("+" + country.callingCode + digits, original: value)
    }

    /// The digits of a number written with ASCII digits, separators and a leading `+` only (nearly every
    /// phone field), read byte by byte; nil for anything else, which the character loop reads and words.
    private static func asciiDigits(_ text: String) -> (digits: String, international: Bool)? {
        var digits: [UInt8] = []
        digits.reserveCapacity(text.utf8.count)
        var international = false
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
            case UInt8(ascii: "+") where index == 0: international = true
            case 0x20, 0x09, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "("),
                UInt8(ascii: ")"):
                continue
            default: return nil
            }
        }
        return (String(decoding: digits, as: UTF8.self), international)
    }

    /// The number without a label written before it: `Tel. 030…`, `tel:+49…` (a URI), `Phone: …`.
    static func withoutLabel(_ text: String) -> String {
        guard let first = text.utf8.first, (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A else { return text }
        let labels = ["telephone", "telefon", "phone", "tel", "fon", "ph"]
        let lowered = text.lowercased()
        for label in labels where lowered.hasPrefix(label) {
            let rest = text.dropFirst(label.count)
            guard let next = rest.first, next == ":" || next == "." || next == " " else { continue }
            return String(rest.drop { $0 == ":" || $0 == "." || $0 == " " })
        }
        return text
    }

    private static func check(_ e164: String, original: String) -> TransformResult {
        // ASCII digits after the plus (counted by byte: counting Characters walked grapheme breaks).
        let count = e164.utf8.count - 1
        guard count >= 8 else {
            return .invalid(original, "\"\(original)\" is too short for a phone number (\(count) digits)")
        }
        guard count <= 15 else { return .invalid(original, "\"\(original)\" has \(count) digits; E.164 allows 15") }
        return .ok(e164)
    }
}
