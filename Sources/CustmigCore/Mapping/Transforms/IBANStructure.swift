/// How each country lays out the national part of its IBANs (the BBAN, after the country code and the
/// two check digits) and the national check digits a few countries keep inside it.
///
/// The mod-97 check alone lets through an IBAN whose bank code is digits where the registry has letters
/// (`NL38 0673 …`) or whose national check digits are wrong (a Spanish CCC): banks and ERPs that validate
/// IBANs (Tryton does, with python-stdnum) refuse those. Checking the layout when the extract is mapped
/// turns a refusal at cutover into a finding in the map report, for every target.
enum IBANStructure {
    /// The BBAN layout per country in the SWIFT IBAN registry's notation: `4!a10!n` is four letters,
    /// then ten digits; `c` is a letter or a digit.
    static let registry: [String: String] = [
        "AD": "4!n4!n12!c", "AE": "3!n16!n", "AL": "8!n16!c", "AT": "5!n11!n", "AZ": "4!a20!c", "BA": "3!n3!n8!n2!n",
        "BE": "3!n7!n2!n", "BG": "4!a4!n2!n8!c", "BH": "4!a14!c", "BI": "5!n5!n11!n2!n", "BR": "8!n5!n10!n1!a1!c",
        "BY": "4!c4!n16!c", "CH": "5!n12!c", "CR": "4!n14!n", "CY": "3!n5!n16!c", "CZ": "4!n16!n", "DE": "8!n10!n",
        "DJ": "5!n5!n11!n2!n", "DK": "4!n9!n1!n", "DO": "4!c20!n", "EE": "2!n14!n", "EG": "4!n4!n17!n",
        "ES": "4!n4!n1!n1!n10!n", "FI": "3!n11!n", "FK": "2!a12!n", "FO": "4!n9!n1!n", "FR": "5!n5!n11!c2!n",
        "GB": "4!a6!n8!n", "GE": "2!a16!n", "GI": "4!a15!c", "GL": "4!n9!n1!n", "GR": "3!n4!n16!c", "GT": "4!c20!c",
        "HN": "4!a20!n", "HR": "7!n10!n", "HU": "3!n4!n1!n15!n1!n", "IE": "4!a6!n8!n", "IL": "3!n3!n13!n",
        "IQ": "4!a3!n12!n", "IS": "4!n2!n6!n10!n", "IT": "1!a5!n5!n12!c", "JO": "4!a4!n18!c", "KW": "4!a22!c",
        "KZ": "3!n13!c", "LB": "4!n20!c", "LC": "4!a24!c", "LI": "5!n12!c", "LT": "5!n11!n", "LU": "3!n13!c",
        "LV": "4!a13!c", "LY": "3!n3!n15!n", "MC": "5!n5!n11!c2!n", "MD": "2!c18!c", "ME": "3!n13!n2!n",
        "MK": "3!n10!c2!n", "MN": "4!n12!n", "MR": "5!n5!n11!n2!n", "MT": "4!a5!n18!c", "MU": "4!a2!n2!n12!n3!n3!a",
        "NI": "4!a20!n", "NL": "4!a10!n", "NO": "4!n6!n1!n", "OM": "3!n16!c", "PK": "4!a16!c", "PL": "8!n16!n",
        "PS": "4!a21!c", "PT": "4!n4!n11!n2!n", "QA": "4!a21!c", "RO": "4!a16!c", "RS": "3!n13!n2!n",
        "RU": "9!n5!n15!c", "SA": "2!n18!c", "SC": "4!a2!n2!n16!n3!a", "SD": "2!n12!n", "SE": "3!n16!n1!n",
        "SI": "5!n8!n2!n", "SK": "4!n6!n10!n", "SM": "1!a5!n5!n12!c", "SO": "4!n3!n12!n", "ST": "4!n4!n11!n2!n",
        "SV": "4!a20!n", "TL": "3!n14!n2!n", "TN": "2!n3!n13!n2!n", "TR": "5!n1!n16!c", "UA": "6!n19!c",
        "VA": "3!n15!n", "VG": "4!a16!n", "XK": "4!n10!n2!n", "YE": "4!a4!n18!c",
    ]

    /// One run of characters of a kind: `n` digits, `a` capital letters, `c` either.
    struct Run: Equatable {
        let count: Int
        let kind: UInt8
    }

    /// The registry parsed once: the runs of each country's BBAN.
    static let layouts: [String: [Run]] = registry.mapValues { notation in
        var runs: [Run] = []
        var count = 0
        for byte in notation.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): count = count * 10 + Int(byte - 48)
            case UInt8(ascii: "!"): continue
            default:
                runs.append(Run(count: count, kind: byte))
                count = 0
            }
        }
        return runs
    }

    /// A country's layout and its whole IBAN's length (4 + the BBAN).
    struct Layout {
        let country: String
        let length: Int
        let runs: [Run]
    }

    /// The layouts by their country's two capital letters: found for every IBAN without hashing a string.
    private static let byLetters: [Layout?] = {
        var table = [Layout?](repeating: nil, count: 26 * 26)
        for (country, runs) in layouts {
            let letters = Array(country.utf8)
            table[Int(letters[0] - 65) * 26 + Int(letters[1] - 65)] = Layout(
                country: country, length: 4 + runs.reduce(0) { $0 + $1.count }, runs: runs)
        }
        return table
    }()

    /// The layout of the country whose code is these two bytes, nil unless they are one (capitals only).
    static func layout(_ first: UInt8, _ second: UInt8) -> Layout? {
        guard first >= 65 && first <= 90 && second >= 65 && second <= 90 else { return nil }
        return byLetters[Int(first - 65) * 26 + Int(second - 65)]
    }

    /// The whole IBAN's length for a country (4 + the BBAN), nil for a country without IBANs.
    static func length(of country: String) -> Int? {
        let letters = Array(country.utf8)
        return letters.count == 2 ? layout(letters[0], letters[1])?.length : nil
    }

    /// Why a compact, upper-case IBAN of the right length and a valid mod-97 check is still not one of
    /// its country's, or nil when it is. `iban` holds ASCII letters and digits only.
    static func problem(_ iban: [UInt8]) -> String? {
        guard iban.count >= 2, let layout = layout(iban[0], iban[1]), iban.count == layout.length else { return nil }
        let (country, runs) = (layout.country, layout.runs)
        var position = 4
        for run in runs {
            for index in position..<position + run.count {
                let byte = iban[index]
                let isDigit = byte >= 48 && byte <= 57
                let fits = run.kind == UInt8(ascii: "n") ? isDigit : run.kind == UInt8(ascii: "a") ? !isDigit : true
                if !fits {
                    return "character \(index + 1) is \(isDigit ? "a digit" : "a letter"); \(country) IBANs have "
                        + "\(isDigit ? "a letter" : "a digit") there (their national part is \(describe(runs)))"
                }
            }
            position += run.count
        }
        // The national part is copied out only for the countries that check digits in it.
        switch country {
        case "BE": return belgianProblem(Array(iban[4...]))
        case "ES": return spanishProblem(Array(iban[4...]))
        case "NO": return norwegianProblem(Array(iban[4...]))
        case "ME": return remainder97(Array(iban[4...])) == 1 ? nil : "its national check digits (mod 97) are wrong"
        default: return nil
        }
    }

    /// "4 letters, 10 digits" for `4!a10!n`: the layout in words for an error message.
    static func describe(_ runs: [Run]) -> String {
        var merged: [Run] = []
        for run in runs {
            if let last = merged.last, last.kind == run.kind {
                merged[merged.count - 1] = Run(count: last.count + run.count, kind: run.kind)
            } else {
                merged.append(run)
            }
        }
        return merged.map { run in
            let noun =
                run.kind == UInt8(ascii: "n") ? "digit" : run.kind == UInt8(ascii: "a") ? "letter" : "letter or digit"
            return "\(run.count) \(noun)\(run.count == 1 ? "" : "s")"
        }.joined(separator: ", ")
    }

    /// `bban` with the national check digits of its country set right (for those that have them); the
    /// sample generator's way to valid IBANs.
    static func settingNationalCheckDigits(_ country: String, _ bban: String) -> String {
        let digits = bban.utf8.map { $0 >= 48 && $0 <= 57 ? Int($0 - 48) : 0 }
        func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        switch country {
        case "BE" where digits.count == 12:
            let check = digits.prefix(10).reduce(0) { ($0 * 10 + $1) % 97 }
            return bban.prefix(10) + twoDigits(check == 0 ? 97 : check)
        case "ES" where digits.count == 20:
            let bytes = Array(bban.utf8)
            let first = spanishCheckDigit([48, 48] + Array(bytes[0..<8]))
            let second = spanishCheckDigit(Array(bytes[10..<20]))
            return bban.prefix(8) + "\(first)\(second)" + bban.dropFirst(10)
        case "NO" where digits.count == 11 && !digits.starts(with: [0, 0, 0, 0]):
            let check = zip(norwegianWeights, digits).reduce(0) { $0 + $1.0 * $1.1 } % 11
            // No digit makes 10 valid: change the first digit instead (a weight of 6 moves the sum).
            if check == 10 { return settingNationalCheckDigits(country, "\((digits[0] + 1) % 10)" + bban.dropFirst()) }
            return bban.prefix(10) + String(check)
        case "ME" where digits.count == 18:
            let remainder = digits.prefix(16).reduce(0) { ($0 * 10 + $1) % 97 }
            return bban.prefix(16) + twoDigits((98 - remainder * 100 % 97) % 97)
        default:
            return bban
        }
    }

    /// Belgium: the last two digits are the first ten mod 97 (97 for 0).
    private static func belgianProblem(_ bban: [UInt8]) -> String? {
        let check = remainder97(Array(bban[0..<10]))
        let expected = check == 0 ? 97 : check
        return digitsValue(bban[10..<12]) == expected ? nil : "its Belgian account check digits are wrong"
    }

    /// Spain: the CCC's two check digits (weights 2^i mod 11) over office and account.
    private static func spanishProblem(_ bban: [UInt8]) -> String? {
        let first = spanishCheckDigit([48, 48] + Array(bban[0..<8]))
        let second = spanishCheckDigit(Array(bban[10..<20]))
        return Int(bban[8] - 48) == first && Int(bban[9] - 48) == second
            ? nil : "its Spanish CCC check digits (positions 13-14) are wrong"
    }

    /// One CCC check digit: weights 1, 2, 4, … (2^i) mod 11 over ten ASCII digits.
    private static func spanishCheckDigit(_ digits: [UInt8]) -> Int {
        var sum = 0
        var weight = 1
        for digit in digits {
            sum += Int(digit - 48) * weight
            weight *= 2
        }
        let check = sum % 11
        return check < 2 ? check : 11 - check
    }

    private static let norwegianWeights = [6, 7, 8, 9, 4, 5, 6, 7, 8, 9]

    /// Norway: the account number's mod-11 check digit (weights 6,7,8,9,4,5,6,7,8,9), or a Luhn check for
    /// an old postal giro number (0000 and 7 digits).
    private static func norwegianProblem(_ bban: [UInt8]) -> String? {
        let digits = bban.map { Int($0 - 48) }
        if digits.prefix(4) == [0, 0, 0, 0] {
            let giro = Array(digits[4...])
            var sum = 0
            for (offset, digit) in giro.reversed().enumerated() {
                let doubled = offset % 2 == 1 ? digit * 2 : digit
                sum += doubled > 9 ? doubled - 9 : doubled
            }
            return sum % 10 == 0 ? nil : "its Norwegian giro number fails the Luhn check"
        }
        let check = zip(norwegianWeights, digits).reduce(0) { $0 + $1.0 * $1.1 } % 11
        return check == digits[10] ? nil : "its Norwegian account check digit is wrong"
    }

    private static func remainder97(_ digits: [UInt8]) -> Int {
        digits.reduce(0) { ($0 * 10 + Int($1 - 48)) % 97 }
    }

    private static func digitsValue(_ digits: ArraySlice<UInt8>) -> Int {
        digits.reduce(0) { $0 * 10 + Int($1 - 48) }
    }
}
