/// Normalizes a country to ISO 3166-1 alpha-2: accepts alpha-2 and alpha-3 codes in any case, numeric
/// codes (`276`, `040`, `40`) and English, German, French and Spanish names (`Deutschland`, `Allemagne`,
/// `U.S.A.`), ignoring case, accents and punctuation. Names are also found in the word orders and
/// spellings exports use for them: ISO's own `Netherlands (the)` and `Korea (the Republic of)`, `The
/// Gambia`, `Bosnia & Herzegovina`, `St. Lucia`. Anything else goes to review.
public enum CountryNormalizer {
    /// Codes and exact (folded) names.
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

    /// Names reduced to their significant words (see ``significantWords(_:)``). A reduced name two
    /// countries share is left out: it would be a guess.
    static let wordIndex: [String: String] = {
        var candidates: [String: Set<String>] = [:]
        for country in CountryCodes.all {
            for name in country.names { candidates[significantWords(TextFolding.fold(name)), default: []].insert(country.alpha2) }
        }
        return candidates.compactMapValues { $0.count == 1 ? $0.first : nil }
    }()

    /// A folded name without the words that only change its form: articles and `and`, with `St`
    /// spelled `saint`, sorted so that `Korea, Republic of` and `Republic of Korea` meet.
    private static let ignoredWords: Set<Substring> = [
        "the", "and", "of", "und", "et", "y", "de", "du", "des", "la", "le", "les", "el", "der", "die",
    ]

    static func significantWords(_ folded: String) -> String {
        let ignored = ignoredWords
        return folded.split(separator: " ")
            .filter { !ignored.contains($0) }
            .map { $0 == "st" || $0 == "ste" ? "saint" : String($0) }
            .sorted()
            .joined(separator: " ")
    }

    public static func normalize(_ value: String) -> TransformResult {
        let key = TextFolding.fold(value)
        guard !key.isEmpty else { return .ok("") }
        if let alpha2 = index[key] { return .ok(alpha2) }
        if key.contains(" "), let alpha2 = wordIndex[significantWords(key)] { return .ok(alpha2) }
        return .review(value, "\"\(value)\" is not an ISO 3166-1 country code or a known country name")
    }
}
