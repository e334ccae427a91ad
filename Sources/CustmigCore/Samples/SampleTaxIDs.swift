/// VAT ids and IBANs that pass their check digits, as most of a real customer master does, and now and
/// then one with a wrong digit: the typo a migration must catch before the target refuses it.
enum SampleTaxIDs {
    static func vat(_ country: SampleCountry, _ random: inout SampleRandom) -> String {
        var vat = country.vat(&random)
        guard !vat.isEmpty else { return "" }
        // About one random number in ten passes a check-digit rule: draw until one does.
        for _ in 0..<500 {
            if case .invalid = VATCheckDigits.check(vat) { vat = country.vat(&random) } else { break }
        }
        return random.chance(0.015) ? typo(vat, &random) : vat
    }

    /// An IBAN laid out as the country's registry entry says, with valid national and mod-97 check digits.
    static func iban(_ country: SampleCountry, _ random: inout SampleRandom) -> String {
        guard let runs = IBANStructure.layouts[country.iso2] else { return "" }
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var bban = ""
        for run in runs {
            for _ in 0..<run.count {
                let letter = run.kind == UInt8(ascii: "a") || (run.kind == UInt8(ascii: "c") && random.chance(0.2))
                bban.append(letter ? random.pick(letters) : Character(String(random.below(10))))
            }
        }
        bban = IBANStructure.settingNationalCheckDigits(country.iso2, bban)
        var check = 98 - mod97(bban + country.iso2 + "00")
        if random.chance(0.01) { check = (check + 1) % 97 }
        return country.iso2 + (check < 10 ? "0" : "") + String(check) + bban
    }

    /// `text` with one digit changed.
    private static func typo(_ text: String, _ random: inout SampleRandom) -> String {
        var characters = Array(text)
        guard let last = characters.lastIndex(where: \.isNumber), let digit = characters[last].wholeNumberValue else {
            return text
        }
        characters[last] = Character(String((digit + 1 + random.below(9)) % 10))
        return String(characters)
    }

    /// The remainder mod 97 of the number the IBAN rules make of `text` (letters A=10 … Z=35).
    static func mod97(_ text: String) -> Int {
        var remainder = 0
        for scalar in text.unicodeScalars {
            if scalar.value >= 48 && scalar.value <= 57 {
                remainder = (remainder * 10 + Int(scalar.value - 48)) % 97
            } else {
                remainder = (remainder * 100 + Int(scalar.value) - 55) % 97
            }
        }
        return remainder
    }
}
