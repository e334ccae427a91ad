import Foundation

/// Normalizes names and streets for matching: case, accents and punctuation do not matter, and legal
/// forms (`GmbH`, `G.m.b.H.`, `Ltd.`, `S.A.R.L.`, `Sp. z o.o.`…) are not part of a company's name.
public enum MatchNormalizer {
    /// Legal forms as token sequences after folding (dots removed, so `G.m.b.H.` is `gmbh`).
    static let legalForms: [[String]] = [
        ["gmbh", "and", "co", "kg"], ["ag", "and", "co", "kg"], ["gmbh", "co", "kg"], ["gmbh", "co", "ohg"],
        ["ag", "co", "kg"],
        ["and", "co", "kg"], ["and", "co"], ["ges", "mbh"], ["gesmbh"], ["gmbh"],
        ["mbh"], ["ag"], ["kg"], ["ohg"], ["og"], ["ek"], ["ev"], ["aktiengesellschaft"], ["ltd"], ["limited"],
        ["plc"], ["llp"], ["llc"], ["inc"], ["incorporated"], ["corp"], ["corporation"], ["co"], ["company"],
        ["sa"], ["sas"], ["sarl"], ["srl"], ["spa"], ["snc"], ["sl"], ["bv"], ["nv"], ["ab"], ["as"], ["aps"],
        ["oy"], ["sp", "z", "oo"], ["spzoo"], ["ae"], ["epe"], ["kft"], ["sro"],
    ]

    /// Lower case, accents folded, `&`/`+` as `and`, punctuation removed, spaces collapsed.
    public static func fold(_ text: String) -> String {
        foldLatin(text) ?? foldUnicode(text)
    }

    /// What one scalar becomes when folded, and how `fold` treats each resulting scalar.
    struct FoldedPiece {
        enum Kind { case dropped, alphanumeric, and, separator }
        var bytes: [UInt8]
        var kind: Kind
    }

    /// Scalars below U+0250 (ASCII, Latin-1, Latin Extended-A and -B), each folded once by Foundation
    /// exactly as `foldUnicode` folds it: text made only of these, without combining marks, folds
    /// scalar by scalar, natively (Foundation's folding bridges through NSString and dominated the
    /// duplicates stage's profile).
    static let latinFolding: [[FoldedPiece]] = (0..<0x250).map { value in
        guard let scalar = Unicode.Scalar(value) else { return [] }
        let folded = String(scalar).folding(
            options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil
        )
        .lowercased()
        return folded.unicodeScalars.map { piece in
            let kind: FoldedPiece.Kind
            if piece == "." || piece == "'" || piece == "’" {
                kind = .dropped
            } else if CharacterSet.alphanumerics.contains(piece) {
                kind = .alphanumeric
            } else if piece == "&" || piece == "+" {
                kind = .and
            } else {
                kind = .separator
            }
            let bytes = piece == "ß" ? Array("ss".utf8) : Array(String(piece).utf8)
            return FoldedPiece(bytes: bytes, kind: kind)
        }
    }

    /// What `latinFolding` makes of each ASCII byte, flat (a lookup, not an array of pieces per scalar:
    /// folding names, cities and streets was a tenth of reading a million profiles): the folded byte
    /// when it is one alphanumeric byte, else one of the markers below.
    static let asciiFolding: [UInt8] = (0..<0x80).map { value in
        let pieces = latinFolding[value]
        if pieces.isEmpty || pieces.allSatisfy({ $0.kind == .dropped }) { return asciiDropped }
        guard pieces.count == 1 else { return asciiByTable }
        switch pieces[0].kind {
        case .alphanumeric:
            return pieces[0].bytes.count == 1 && pieces[0].bytes[0] >= 0x20 ? pieces[0].bytes[0] : asciiByTable
        case .separator: return asciiSeparator
        case .and: return asciiAnd
        case .dropped: return asciiDropped
        }
    }
    static let asciiDropped: UInt8 = 0
    static let asciiSeparator: UInt8 = 1
    static let asciiAnd: UInt8 = 2
    static let asciiByTable: UInt8 = 3

    /// `fold` by the table, or nil when the text has a scalar outside it.
    static func foldLatin(_ text: String) -> String? {
        let table = latinFolding
        let ascii = asciiFolding
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count + 8)
        var lastWasSpace = true
        func append(_ kind: FoldedPiece.Kind, _ bytes: [UInt8]) {
            switch kind {
            case .dropped: break
            case .alphanumeric:
                result += bytes
                lastWasSpace = false
            case .and:
                if !lastWasSpace { result.append(0x20) }
                result += [0x61, 0x6E, 0x64, 0x20]
                lastWasSpace = true
            case .separator:
                if !lastWasSpace {
                    result.append(0x20)
                    lastWasSpace = true
                }
            }
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                let folded = ascii[Int(value)]
                switch folded {
                case asciiDropped: continue
                case asciiSeparator:
                    if !lastWasSpace {
                        result.append(0x20)
                        lastWasSpace = true
                    }
                    continue
                case asciiAnd:
                    append(.and, [])
                    continue
                case asciiByTable: break
                default:
                    result.append(folded)
                    lastWasSpace = false
                    continue
                }
            }
            guard value < 0x250 else { return nil }
            for piece in table[Int(value)] { append(piece.kind, piece.bytes) }
        }
        if result.last == 0x20 { result.removeLast() }
        return String(decoding: result, as: UTF8.self)
    }

    /// `fold` for any text, by Foundation.
    static func foldUnicode(_ text: String) -> String {
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
        // Legal forms compared as numbers: each token's place in the legal forms' vocabulary (-1: none).
        // Comparing the strings of fifty forms at both ends took a fifth of reading a million profiles.
        var ids = tokens.map { legalFormVocabulary[$0] ?? -1 }
        guard ids.contains(where: { $0 >= 0 }) else { return tokens }
        var changed = true
        while changed {
            changed = false
            for form in legalFormIDs where ids.count > form.count {
                if ids[(ids.count - form.count)...].elementsEqual(form) {
                    ids.removeLast(form.count)
                    tokens.removeLast(form.count)
                    changed = true
                } else if ids[..<form.count].elementsEqual(form) {
                    ids.removeFirst(form.count)
                    tokens.removeFirst(form.count)
                    changed = true
                }
            }
        }
        return tokens
    }

    /// Every token of a legal form, numbered.
    static let legalFormVocabulary: [String: Int] = {
        var vocabulary: [String: Int] = [:]
        for token in legalForms.joined() where vocabulary[token] == nil { vocabulary[token] = vocabulary.count }
        return vocabulary
    }()

    /// `legalForms` as vocabulary numbers, in the same order.
    static let legalFormIDs: [[Int]] = legalForms.map { $0.map { legalFormVocabulary[$0]! } }

    public static func name(_ name: String) -> String { nameTokens(name).joined(separator: " ") }

    /// A street with its common abbreviations spelt one way: `Hauptstr. 5`, `Hauptstraße 5` and
    /// `Hauptstrasse 5` all become `hauptstr 5`.
    public static func street(_ street: String) -> String {
        var tokens = fold(street).split(separator: " ").map(String.init)
        for (index, token) in tokens.enumerated() {
            var word = token
            for (long, short) in streetAbbreviations where word.utf8.count >= long.count {
                // Compared as bytes: the suffixes are ASCII and whole characters in folded text.
                if word.utf8.suffix(long.count).elementsEqual(long.utf8) {
                    word = String(decoding: word.utf8.dropLast(long.count), as: UTF8.self) + short
                }
            }
            tokens[index] = word
        }
        return tokens.joined(separator: " ")
    }

    /// Street words by the suffix each is shortened to, in the order they are tried.
    static let streetAbbreviations: [(String, String)] = [
        ("strasse", "str"), ("street", "st"), ("avenue", "ave"), ("road", "rd"), ("platz", "pl"),
    ]

    /// A normalized street split into its name and house number: the first token that starts with a
    /// digit (`12`, `12a`, `5-7`) at either end is the number (`hauptstr 5` and `5 hauptstr` alike).
    public static func houseNumber(_ street: String) -> (street: String?, number: String?) {
        var tokens = street.split(separator: " ").map(String.init)
        guard !tokens.isEmpty else { return (nil, nil) }
        var number: String?
        if let last = tokens.last, last.first?.isNumber == true {
            number = last
            tokens.removeLast()
        } else if let first = tokens.first, first.first?.isNumber == true, tokens.count > 1 {
            number = first
            tokens.removeFirst()
        }
        return (tokens.isEmpty ? nil : tokens.joined(separator: " "), number)
    }
}
