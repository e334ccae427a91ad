import Foundation

/// Normalizes a language to ISO 639-1 (lower case, `de`): accepts ISO 639-1 and 639-2 codes, English
/// names, and SAP's one-letter language keys (`D` German, `E` English, `F` French…) — those only when
/// the value is one character, since SAP keys are case-sensitive single characters.
public enum LanguageNormalizer {
    /// SAP language keys (table T002) for the languages a customer master uses.
    public static let sapKeys: [Character: String] = [
        "0": "sr", "1": "zh", "2": "th", "3": "ko", "4": "ro", "5": "sl", "6": "hr", "7": "ms", "8": "uk", "9": "et",
        "A": "ar", "B": "he", "C": "cs", "D": "de", "E": "en", "F": "fr", "G": "el", "H": "hu", "I": "it", "J": "ja",
        "K": "da", "L": "pl", "N": "nl", "O": "no", "P": "pt", "Q": "sk", "R": "ru", "S": "es", "T": "tr", "U": "fi",
        "V": "sv", "W": "bg", "X": "lt", "Y": "lv", "a": "af", "b": "is", "c": "ca", "i": "id",
    ]

    static let index: [String: String] = {
        var index: [String: String] = [:]
        for line in LanguageData.lines {
            let parts = line.split(separator: ";").map(String.init)
            index[parts[0]] = parts[0]
            index[parts[1].lowercased()] = parts[0]
            index[parts[2].lowercased()] = parts[0]
            index[TextFolding.fold(parts[3])] = parts[0]
        }
        for (name, code) in ["deutsch": "de", "englisch": "en", "francais": "fr", "espanol": "es", "italiano": "it"] {
            index[name] = code
        }
        return index
    }()

    public static func normalize(_ value: String) -> TransformResult {
        let trimmed = value.trimmedWhitespace
        guard !trimmed.isEmpty else { return .ok("") }
        if trimmed.count == 1, let code = sapKeys[trimmed.first!] { return .ok(code) }
        if let code = index[TextFolding.fold(trimmed)] { return .ok(code) }
        return .review(value, "\"\(value)\" is not an ISO 639-1 code, an SAP language key or a known language")
    }
}
