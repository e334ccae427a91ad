/// Normalizes a country to ISO 3166-1 alpha-2: accepts alpha-2 and alpha-3 codes in any case, numeric
/// codes (`276`, `040`, `40`) and English, German, French and Spanish names (`Deutschland`, `Allemagne`,
/// `U.S.A.`), ignoring case, accents and punctuation. Anything else goes to review.
public enum CountryNormalizer {
    static let index: [String: String] = {
        var index: [String: String] = [:]
        for country in CountryCodes.all {
            index[country.alpha2.lowercased()] = country.alpha2
            index[country.alpha3.lowercased()] = country.alpha2
            index[country.numeric] = country.alpha2
            if let number = Int(country.numeric) { index[String(number)] = country.alpha2 }
            for name in country.names { index[TextFolding.fold(name)] = country.alpha2 }
        }
        // Greece's VAT prefix and the UK's common code are often used as country codes too.
        index["el"] = "GR"
        index["uk"] = "GB"
        return index
    }()

    public static func normalize(_ value: String) -> TransformResult {
        let key = TextFolding.fold(value)
        guard !key.isEmpty else { return .ok("") }
        if let alpha2 = index[key] { return .ok(alpha2) }
        return .review(value, "\"\(value)\" is not an ISO 3166-1 country code or a known country name")
    }
}
