/// NYSIIS (New York State Identification and Intelligence System) codes: names that sound alike get the
/// same code (`harrington`, `harington`, `herrington` → `HARANG`), so a typo in a name's first letters
/// still meets its twin in a block, and a misspelt surname still scores as "sounds the same".
///
/// Chosen over Soundex (which keeps the first letter as typed and collapses too much) and Double Metaphone
/// (tuned for English spelling only): NYSIIS was built for surnames of many origins. Input is a folded
/// name token (lower-case ASCII letters; anything else is skipped).
public enum Phonetic {
    /// The NYSIIS code of one name token, at most `length` letters; empty for a token without letters.
    public static func nysiis(_ token: some StringProtocol, length: Int = 8) -> String {
        var name: [UInt8] = []
        name.reserveCapacity(token.utf8.count)
        for byte in token.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): name.append(byte - 32)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): name.append(byte)
            default: continue
            }
        }
        guard !name.isEmpty else { return "" }
        func starts(_ prefix: String) -> Bool { name.starts(with: prefix.utf8) }
        func ends(_ suffix: String) -> Bool {
            name.count >= suffix.utf8.count && name.suffix(suffix.utf8.count).elementsEqual(suffix.utf8)
        }
        func replacePrefix(_ count: Int, _ with: String) { name.replaceSubrange(0..<count, with: with.utf8) }
        func replaceSuffix(_ count: Int, _ with: String) {
            name.replaceSubrange((name.count - count)..., with: with.utf8)
        }
        if starts("MAC") {
            replacePrefix(3, "MCC")
        } else if starts("KN") {
            replacePrefix(2, "NN")
        } else if starts("K") {
            replacePrefix(1, "C")
        } else if starts("PH") || starts("PF") {
            replacePrefix(2, "FF")
        } else if starts("SCH") {
            replacePrefix(3, "SSS")
        }
        if ends("EE") || ends("IE") {
            replaceSuffix(2, "Y")
        } else if ends("DT") || ends("RT") || ends("RD") || ends("NT") || ends("ND") {
            replaceSuffix(2, "D")
        }
        let vowels: Set<UInt8> = Set("AEIOU".utf8)
        var key: [UInt8] = [name[0]]
        var index = 1
        while index < name.count {
            let char = name[index]
            var replacement: [UInt8]
            var advance = 1
            let next = index + 1 < name.count ? name[index + 1] : 0
            if char == UInt8(ascii: "E") && next == UInt8(ascii: "V") {
                replacement = Array("AF".utf8)
                advance = 2
            } else if vowels.contains(char) {
                replacement = [UInt8(ascii: "A")]
            } else if char == UInt8(ascii: "Q") {
                replacement = [UInt8(ascii: "G")]
            } else if char == UInt8(ascii: "Z") {
                replacement = [UInt8(ascii: "S")]
            } else if char == UInt8(ascii: "M") {
                replacement = [UInt8(ascii: "N")]
            } else if char == UInt8(ascii: "K") {
                replacement = next == UInt8(ascii: "N") ? [UInt8(ascii: "N")] : [UInt8(ascii: "C")]
            } else if char == UInt8(ascii: "S") && index + 2 < name.count && next == UInt8(ascii: "C")
                && name[index + 2] == UInt8(ascii: "H")
            {
                replacement = Array("SSS".utf8)
                advance = 3
            } else if char == UInt8(ascii: "P") && next == UInt8(ascii: "H") {
                replacement = Array("FF".utf8)
                advance = 2
            } else if char == UInt8(ascii: "H")
                && (!vowels.contains(name[index - 1]) || (next != 0 && !vowels.contains(next)) || next == 0)
            {
                replacement = [name[index - 1]]
            } else if char == UInt8(ascii: "W") && vowels.contains(name[index - 1]) {
                replacement = [name[index - 1]]
            } else {
                replacement = [char]
            }
            for byte in replacement where key.last != byte { key.append(byte) }
            index += advance
        }
        if key.count > 1 && key.last == UInt8(ascii: "S") { key.removeLast() }
        if key.count > 2 && key.suffix(2).elementsEqual("AY".utf8) {
            key.replaceSubrange((key.count - 2)..., with: [UInt8(ascii: "Y")])
        }
        if key.count > 1 && key.last == UInt8(ascii: "A") { key.removeLast() }
        return String(decoding: key.prefix(length), as: UTF8.self)
    }
}
