import Foundation

/// Folding for lookups by name: case, accents, punctuation and repeated spaces do not matter.
enum TextFolding {
    static func fold(_ text: String) -> String {
        // Plain ASCII letters and digits (most codes): lower-case them without Foundation.
        if !text.isEmpty && text.utf8.count <= 16
            && text.utf8.allSatisfy({
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
            })
        {
            return text.lowercased()
        }
        let stripped = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var result = ""
        var lastWasSpace = true
        for scalar in stripped.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                result.unicodeScalars.append(scalar)
                lastWasSpace = false
            } else if !lastWasSpace {
                result.append(" ")
                lastWasSpace = true
            }
        }
        if result.hasSuffix(" ") { result.removeLast() }
        return result.lowercased()
    }

    /// The text in Unicode's composed form (NFC): `u` + U+0308 (as macOS and some exports write it)
    /// becomes `ü`, so that the same name from two systems is the same bytes in the ledger, the
    /// target and every hash. Only text with a character from U+0300 up can change (no Latin-1 or
    /// Latin Extended character decomposes), so most values are returned after one byte scan.
    static func composed(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0xCC }) else { return text }
        return text.precomposedStringWithCanonicalMapping
    }

    /// The text with each control character (C0 but tab, line feed and carriage return; DEL; C1)
    /// replaced by a space, and the characters replaced; nil when it has none. A target loaded
    /// through XML (SAP's IDocs, SOAP) refuses most of them, and they are never meant in a name.
    static func withoutControlCharacters(_ text: String) -> (text: String, removed: [Unicode.Scalar])? {
        guard
            text.utf8.contains(where: {
                ($0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D) || $0 == 0x7F || $0 == 0xC2
            })
        else { return nil }
        var removed: [Unicode.Scalar] = []
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) || (0x7F...0x9F).contains(value) {
                removed.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        return removed.isEmpty ? nil : (String(cleaned), removed)
    }

    /// Empty or only spaces and tabs; on the bytes (iterating characters did grapheme breaking for
    /// every field of every record).
    /// What one pass over a raw value's bytes tells the mapping: whether it may need composing, may
    /// hold a control character, and is blank. Each value is scanned once instead of three times.
    struct Facts {
        var composable = false
        var control = false
        var blank = true
    }

    static func facts(_ text: String) -> Facts {
        // Read in place: `withUTF8` needs a mutable copy, one more retain and release per field.
        if let facts = text.utf8.withContiguousStorageIfAvailable(facts(of:)) { return facts }
        var text = text
        return text.withUTF8(facts(of:))
    }

    private static func facts(of bytes: UnsafeBufferPointer<UInt8>) -> Facts {
        var facts = Facts()
        for byte in bytes {
            if byte >= 0xCC { facts.composable = true }
            if (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D) || byte == 0x7F || byte == 0xC2 {
                facts.control = true
            }
            if byte != 0x20 && byte != 0x09 { facts.blank = false }
        }
        return facts
    }

    static func isBlank(_ text: String) -> Bool { text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
}
