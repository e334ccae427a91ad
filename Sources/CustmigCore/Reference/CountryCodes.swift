import Foundation

/// ISO 3166-1: all 249 countries with alpha-2, alpha-3 and numeric codes, calling codes, trunk prefixes
/// and names (English, German, French, Spanish, common aliases and the country's own), from ``CountryNameData``.
public enum CountryCodes {
    public struct Country: Sendable, Hashable {
        public let alpha2: String
        public let alpha3: String
        public let numeric: String
        /// E.164 country calling code without `+` (e.g. `49`); empty when the country has none.
        public let callingCode: String
        /// The national trunk prefix dropped in international format (`0` in Germany; empty in Italy).
        public let trunkPrefix: String
        public let names: [String]
        public var name: String { names.first ?? alpha2 }
    }

    public static let all: [Country] = CountryNameData.lines.map { line in
        let parts = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        let alpha2 = parts[0]
        let names = parts[5].components(separatedBy: " | ") + (CountryNameData.aliases[alpha2] ?? []) + (CountryNameData.endonyms[alpha2] ?? [])
        return Country(
            alpha2: alpha2, alpha3: parts[1], numeric: parts[2], callingCode: parts[3], trunkPrefix: parts[4],
            names: names)
    }

    public static let byAlpha2: [String: Country] = Dictionary(uniqueKeysWithValues: all.map { ($0.alpha2, $0) })

    /// Alpha-2 codes packed as two ASCII bytes (`"DE"` -> 0x4445), for byte-level checks.
    static let alpha2Packed: Set<UInt16> = Set(
        all.map { code in
            let bytes = Array(code.alpha2.utf8)
            return UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        })

    public static func isAlpha2(_ code: String) -> Bool { byAlpha2[code] != nil }
}
