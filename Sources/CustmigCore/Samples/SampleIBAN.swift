/// Makes IBANs with a valid ISO 13616 check (mod 97), and now and then a wrong one.
enum SampleIBAN {
    static func make(_ country: SampleCountry, _ random: inout SampleRandom) -> String {
        guard country.ibanLength > 0 else { return "" }
        let bban = random.digits(country.ibanLength - 4)
        var check = 98 - mod97(bban + country.iso2 + "00")
        if random.chance(0.01) { check = (check + 1) % 97 }
        return country.iso2 + (check < 10 ? "0" : "") + String(check) + bban
    }

    /// The remainder mod 97 of the number the IBAN rules make of `text` (letters A=10 … Z=35).
    static func mod97(_ text: String) -> Int {
        var remainder = 0
        for scalar in text.unicodeScalars {
            if scalar.value >= 48 && scalar.value <= 57 {
                remainder = (remainder * 10 + Int(scalar.value - 48)) % 97
            } else {
                let value = Int(scalar.value) - 55
                remainder = (remainder * 100 + value) % 97
            }
        }
        return remainder
    }
}
