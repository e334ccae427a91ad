import Foundation

/// Normalizes names and streets for matching: case, accents and punctuation do not matter, and legal
/// forms (`GmbH`, `G.m.b.H.`, `Ltd.`, `S.A.R.L.`, `Sp. z o.o.`…) are not part of a company's name.
public enum MatchNormalizer {
    /// Legal forms as token sequences after folding (dots removed, so `G.m.b.H.` is `gmbh`).
    static let legalForms: [[String]] = [
        ["gmbh", "and", "co", "kg"], ["ag", "and", "co", "kg"], ["gmbh", "co", "kg"], ["gmbh", "co", "ohg"], ["ag", "co", "kg"],
        ["and", "co", "kg"], ["and", "co"], ["ges", "mbh"], ["gesmbh"], ["gmbh"],
        ["mbh"], ["ag"], ["kg"], ["ohg"], ["og"], ["ek"], ["ev"], ["aktiengesellschaft"], ["ltd"], ["limited"],
        ["plc"], ["llp"], ["llc"], ["inc"], ["incorporated"], ["corp"], ["corporation"], ["co"], ["company"],
        ["sa"], ["sas"], ["sarl"], ["srl"], ["spa"], ["snc"], ["sl"], ["bv"], ["nv"], ["ab"], ["as"], ["aps"],
        ["oy"], ["sp", "z", "oo"], ["spzoo"], ["ae"], ["epe"], ["kft"], ["sro"],
    ]

    /// Lower case, accents folded, `&`/`+` as `and`, punctuation removed, spaces collapsed.
    public static func fold(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
        var result = ""
        var lastWasSpace = true
        for scalar in folded.unicodeScalars {
            if scalar == "." || scalar == "'" || scalar == "’" {
                continue
            } else if CharacterSet.alphanumerics.contains(scalar) {
                result.unicodeScalars.append(scalar)
                lastWasSpace = false
            } else if scalar == "&" || scalar == "+" {
                if !lastWasSpace { result.append(" ") }
                result += "and "
                lastWasSpace = true
            } else if !lastWasSpace {
                result.append(" ")
                lastWasSpace = true
            }
        }
        if result.hasSuffix(" ") { result.removeLast() }
        return result.replacingOccurrences(of: "ß", with: "ss")
    }

    /// The tokens of a company name without its legal form(s), wherever they stand.
    public static func nameTokens(_ name: String) -> [String] {
        var tokens = fold(name).split(separator: " ").map(String.init)
        var changed = true
        while changed {
            changed = false
            for form in legalForms where tokens.count > form.count {
                if Array(tokens.suffix(form.count)) == form {
                    tokens.removeLast(form.count)
                    changed = true
                } else if Array(tokens.prefix(form.count)) == form {
                    tokens.removeFirst(form.count)
                    changed = true
                }
            }
        }
        return tokens
    }

    public static func name(_ name: String) -> String { nameTokens(name).joined(separator: " ") }

    /// A street with its common abbreviations spelt one way: `Hauptstr. 5`, `Hauptstraße 5` and
    /// `Hauptstrasse 5` all become `hauptstr 5`.
    public static func street(_ street: String) -> String {
        var tokens = fold(street).split(separator: " ").map(String.init)
        for (index, token) in tokens.enumerated() {
            var word = token
            for (long, short) in [("strasse", "str"), ("street", "st"), ("avenue", "ave"), ("road", "rd"), ("platz", "pl")]
            where word.hasSuffix(long) {
                word = String(word.dropLast(long.count)) + short
            }
            tokens[index] = word
        }
        return tokens.joined(separator: " ")
    }
}
