import Foundation

/// The check digits of VAT ids, by country, as the tax authorities define them (and as python-stdnum,
/// which ERPs such as Tryton validate with, checks them). ``VATNormalizer`` checks shapes only; a target
/// that refuses a wrong check digit asks this to predict the refusal in the dry run instead of learning
/// it from a failed call at cutover.
///
/// Countries without a rule here answer ``Verdict/unknown``: the dry run cannot predict them and the
/// cutover isolates a refusal as for any other.
public enum VATCheckDigits {
    public enum Verdict: Equatable, Sendable {
        case valid
        case invalid(String)
        case unknown
    }

    /// The countries whose check digits are known (VAT prefixes; Greece is EL, Northern Ireland XI).
    public static let countries: Set<String> = [
        "AT", "BE", "CH", "DE", "DK", "EL", "ES", "FI", "FR", "GB", "IT", "LU", "NL", "NO", "PL", "PT", "SE", "XI",
    ]

    /// Checks a normalized VAT id (prefix first, as ``VATNormalizer`` writes it).
    public static func check(_ vat: String) -> Verdict {
        let bytes = Array(vat.utf8)
        guard bytes.count > 2 else { return .unknown }
        let prefix = String(decoding: bytes[0..<2], as: UTF8.self)
        let rest = Array(bytes[2...])
        let valid: Bool
        switch prefix {
        case "AT": valid = austria(rest)
        case "BE": valid = belgium(rest)
        case "CH": valid = switzerland(rest)
        case "DE": valid = germany(rest)
        case "DK": valid = weighted(rest, [2, 7, 6, 5, 4, 3, 2, 1], modulo: 11, firstNonZero: true)
        case "EL": valid = greece(rest)
        case "ES": valid = spain(rest)
        case "FI": valid = weighted(rest, [7, 9, 10, 5, 8, 4, 2, 1], modulo: 11)
        case "FR": valid = france(rest)
        case "GB", "XI": valid = britain(rest)
        case "IT": valid = italy(rest)
        case "LU": valid = luxembourg(rest)
        case "NL": valid = netherlands(rest, whole: bytes)
        case "NO": valid = norway(rest)
        case "PL": valid = weighted(rest, [6, 5, 7, 2, 3, 4, 5, 6, 7, -1], modulo: 11)
        case "PT": valid = portugal(rest)
        case "SE": valid = sweden(rest)
        default: return .unknown
        }
        return valid ? .valid : .invalid("\"\(vat)\" fails the \(prefix) VAT check digits")
    }

    // MARK: Countries

    private static func austria(_ rest: [UInt8]) -> Bool {
        guard rest.count == 9, rest[0] == UInt8(ascii: "U"), let digits = digits(rest[1...]) else { return false }
        return (6 - luhnSum(digits.dropLast()) % 10 + 10) % 10 == digits[7]
    }

    private static func belgium(_ rest: [UInt8]) -> Bool {
        guard rest.count == 10, let digits = digits(rest[...]), digits[0] <= 1, digits.contains(where: { $0 != 0 })
        else {
            return false
        }
        return (number(digits[0..<8]) + number(digits[8...])) % 97 == 0
    }

    private static func switzerland(_ rest: [UInt8]) -> Bool {
        guard rest.count == 10, rest[0] == UInt8(ascii: "E"), let digits = digits(rest[1...]) else { return false }
        let sum = zip([5, 4, 3, 2, 7, 6, 5, 4], digits).reduce(0) { $0 + $1.0 * $1.1 }
        let check = (11 - sum % 11) % 11
        return check < 10 && check == digits[8]
    }

    /// ISO 7064 mod 11,10.
    private static func germany(_ rest: [UInt8]) -> Bool {
        guard rest.count == 9, let digits = digits(rest[...]), digits[0] != 0 else { return false }
        var check = 5
        for digit in digits { check = (((check == 0 ? 10 : check) * 2) % 11 + digit) % 10 }
        return check == 1
    }

    private static func greece(_ rest: [UInt8]) -> Bool {
        guard rest.count == 9, let digits = digits(rest[...]) else { return false }
        let sum = digits.dropLast().reduce(0) { $0 * 2 + $1 }
        return sum * 2 % 11 % 10 == digits[8]
    }

    private static let dniLetters = Array("TRWAGMYFPDXBNJZSQVHLCKE".utf8)

    /// A NIF: a DNI (8 digits and a letter), an NIE (X/Y/Z, 7 digits, a letter), K/L/M with the DNI
    /// letter, or a company's CIF (a letter, 7 digits, a digit or letter from the Luhn sum).
    private static func spain(_ rest: [UInt8]) -> Bool {
        guard rest.count == 9, let middle = digits(rest[1..<8]) else { return false }
        let first = rest[0], last = rest[8]
        func dniLetter(_ value: Int) -> UInt8 { dniLetters[value % 23] }
        if let leading = digits(rest[0..<1]) { return dniLetter(number((leading + middle)[...])) == last }
        if let xyz = Array("XYZ".utf8).firstIndex(of: first) { return dniLetter(number(([xyz] + middle)[...])) == last }
        if Array("KLM".utf8).contains(first) { return dniLetter(number(middle[...])) == last }
        guard Array("ABCDEFGHJNPQRSUVW".utf8).contains(first) else { return false }
        let check = (10 - luhnSum((middle + [0])[...]) % 10) % 10
        return last == UInt8(ascii: "0") + UInt8(check) || last == Array("JABCDEFGHI".utf8)[check]
    }

    private static let frenchAlphabet = Array("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ".utf8)

    private static func france(_ rest: [UInt8]) -> Bool {
        guard rest.count == 11, let siren = digits(rest[2...]) else { return false }
        if siren[0..<3] != [0, 0, 0] && luhnSum(siren[...]) % 10 != 0 { return false }
        guard let first = frenchAlphabet.firstIndex(of: rest[0]), let second = frenchAlphabet.firstIndex(of: rest[1])
        else {
            return false
        }
        if first < 10 && second < 10 {
            // (SIREN followed by "12") mod 97 is the two-digit key.
            return first * 10 + second == (number(siren[...]) * 100 + 12) % 97
        }
        let check = first < 10 ? first * 24 + second - 10 : first * 34 + second - 100
        return (number(siren[...]) + 1 + check / 11) % 11 == check % 11
    }

    private static func britain(_ rest: [UInt8]) -> Bool {
        if rest.count == 5 {
            guard let digits = digits(rest[2...]) else { return false }
            let code = number(digits[...])
            let kind = String(decoding: rest[0..<2], as: UTF8.self)
            return (kind == "GD" && code < 500) || (kind == "HA" && code >= 500)
        }
        guard rest.count == 9 || rest.count == 12, let digits = digits(rest[...]) else { return false }
        let sum = zip([8, 7, 6, 5, 4, 3, 2, 10, 1], digits).reduce(0) { $0 + $1.0 * $1.1 } % 97
        return number(digits[0..<3]) >= 100 ? [0, 42, 55].contains(sum) : sum == 0
    }

    private static func italy(_ rest: [UInt8]) -> Bool {
        guard rest.count == 11, let digits = digits(rest[...]), number(digits[0..<7]) != 0 else { return false }
        let province = number(digits[7..<10])
        guard (1...100).contains(province) || [120, 121, 888, 999].contains(province) else { return false }
        return luhnSum(digits[...]) % 10 == 0
    }

    private static func luxembourg(_ rest: [UInt8]) -> Bool {
        guard rest.count == 8, let digits = digits(rest[...]) else { return false }
        return number(digits[0..<6]) % 89 == number(digits[6...])
    }

    /// The old numbers (a BSN or RSIN passing the 11-test) or the sole traders' numbers since 2020 (mod 97).
    private static func netherlands(_ rest: [UInt8], whole: [UInt8]) -> Bool {
        guard rest.count == 12, rest[9] == UInt8(ascii: "B"), let digits = digits(rest[0..<9]),
            let suffix = Self.digits(rest[10...]),
            digits.contains(where: { $0 != 0 }), suffix != [0, 0]
        else { return false }
        let elevenTest =
            (digits.dropLast().enumerated().reduce(0) { $0 + (9 - $1.offset) * $1.element } - digits[8]) % 11
        if (elevenTest + 11) % 11 == 0 { return true }
        var remainder = 0
        for byte in whole {
            let value = byte >= UInt8(ascii: "A") ? Int(byte - UInt8(ascii: "A")) + 10 : Int(byte - UInt8(ascii: "0"))
            remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97
        }
        return remainder == 1
    }

    private static func norway(_ rest: [UInt8]) -> Bool {
        guard rest.count == 12, rest[9...] == Array("MVA".utf8)[...], let digits = digits(rest[0..<9]) else {
            return false
        }
        return zip([3, 2, 7, 6, 5, 4, 3, 2, 1], digits).reduce(0) { $0 + $1.0 * $1.1 } % 11 == 0
    }

    private static func portugal(_ rest: [UInt8]) -> Bool {
        guard rest.count == 9, let digits = digits(rest[...]), digits[0] != 0 else { return false }
        let sum = digits.dropLast().enumerated().reduce(0) { $0 + (9 - $1.offset) * $1.element }
        return (11 - sum % 11) % 11 % 10 == digits[8]
    }

    private static func sweden(_ rest: [UInt8]) -> Bool {
        guard rest.count == 12, rest[10...] == Array("01".utf8)[...], let digits = digits(rest[0..<10]) else {
            return false
        }
        return luhnSum(digits[...]) % 10 == 0
    }

    // MARK: Arithmetic

    private static func weighted(_ rest: [UInt8], _ weights: [Int], modulo: Int, firstNonZero: Bool = false) -> Bool {
        guard rest.count == weights.count, let digits = digits(rest[...]), !firstNonZero || digits[0] != 0 else {
            return false
        }
        let sum = zip(weights, digits).reduce(0) { $0 + $1.0 * $1.1 }
        return ((sum % modulo) + modulo) % modulo == 0
    }

    /// The Luhn sum of the digits (the last one undoubled); a valid number's sum is a multiple of 10.
    private static func luhnSum(_ digits: ArraySlice<Int>) -> Int {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 0 { sum += digit } else { sum += digit * 2 > 9 ? digit * 2 - 9 : digit * 2 }
        }
        return sum
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> [Int]? {
        var result: [Int] = []
        result.reserveCapacity(bytes.count)
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            result.append(Int(byte - UInt8(ascii: "0")))
        }
        return result
    }

    private static func number(_ digits: ArraySlice<Int>) -> Int { digits.reduce(0) { $0 * 10 + $1 } }
}
