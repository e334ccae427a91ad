/// Personal data quoted inside free text (a reject's reason, a finding's message): masked reports mask
/// it there too, not only in the fields that hold it.
extension PersonalData {
    /// Canonical columns that hold personal data (a person's name, contact details, tax and bank ids).
    public static let columns: Set<String> = [
        "email", "phone", "fax", "mobile", "vat_id", "tax_number_1", "tax_number_2", "iban", "account_number",
        "first_name", "last_name",
    ]

    /// `text` with every personal value it mentions masked: a quoted value after a personal field
    /// (`contacts[0].email = "…"`), and any quoted or bare word that looks like an email, IBAN, VAT id
    /// or phone number wherever it stands.
    public static func maskingMentions(in text: String) -> String {
        guard !text.isEmpty else { return text }
        var result = ""
        var masked = Set<String>()
        var rest = Substring(text)
        // Quoted values first: "…" spans are judged by the field named before them.
        while let open = rest.firstIndex(of: "\"") {
            let before = rest[..<open]
            result += maskingWords(in: before)
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "\"") else {
                rest = rest[open...]
                break
            }
            let value = rest[afterOpen..<close]
            let personal = namesPersonalField(String(result.suffix(80))) || looksPersonal(value)
            if personal && value.count >= 3 { masked.insert(String(value)) }
            result += "\"" + (personal ? mask(String(value)) : String(value)) + "\""
            rest = rest[rest.index(after: close)...]
        }
        result += maskingWords(in: rest)
        // A value masked once is masked wherever the text repeats it (`= "…": "DE00 …" fails the check`).
        for value in masked.sorted(by: { $0.count > $1.count }) {
            result = result.replacingOccurrences(of: value, with: mask(value))
        }
        return result
    }

    /// Whether the text ends with a personal field's name and `=` or `:` (`contacts[0].email = `).
    static func namesPersonalField(_ prefix: String) -> Bool {
        var trimmed = Substring(prefix)
        while let last = trimmed.last, last == " " || last == "=" || last == ":" || last == "(" { trimmed.removeLast() }
        let field = trimmed.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return columns.contains(String(field.reversed()).lowercased())
    }

    /// Bare words that look personal, masked; the rest as is. A phone's groups (`+49 30 1234567`) are
    /// one span: a word starting with + and the digit groups right after it.
    static func maskingWords(in text: Substring) -> String {
        var tokens: [(word: String, separator: Character?)] = []
        var word = ""
        for character in text {
            if " ,;()\t\n<>".contains(character) {
                tokens.append((word, character))
                word = ""
            } else {
                word.append(character)
            }
        }
        tokens.append((word, nil))
        var result = ""
        var index = 0
        while index < tokens.count {
            var span = tokens[index].word
            var end = index
            if span.hasPrefix("+"), span.dropFirst().allSatisfy(\.isNumber) {
                while end + 1 < tokens.count, tokens[end].separator == " ", !tokens[end + 1].word.isEmpty,
                    tokens[end + 1].word.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "/" })
                {
                    end += 1
                    span += " " + tokens[end].word
                }
            }
            result += looksPersonal(Substring(span)) ? mask(span) : span
            if let separator = tokens[end].separator { result.append(separator) }
            index = end + 1
        }
        return result
    }

    /// An email, an IBAN (by its check digits), a VAT id's shape, or an international phone number.
    static func looksPersonal(_ value: Substring) -> Bool {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 5 else { return false }
        if let at = trimmed.firstIndex(of: "@"), trimmed[at...].contains(".") { return true }
        let bytes = Array(trimmed.utf8).filter { $0 != 32 && $0 != 45 && $0 != 46 && $0 != 47 }
        guard !bytes.isEmpty else { return false }
        let digits = bytes.filter { $0 >= 48 && $0 <= 57 }.count
        let upper = Array(trimmed.uppercased().utf8)
        if upper.count >= 15,
            upper.withUnsafeBufferPointer({ ValueAnalyzer.isIBAN($0.baseAddress!, $0.count) })
        {
            return true
        }
        if upper.withUnsafeBufferPointer({ ValueAnalyzer.isVATShape($0.baseAddress!, $0.count) }) { return true }
        // Phones written with their + (+49 30 …); others are recognized after their field's name only:
        // a bare run of digits (0000100972) is as likely a customer number.
        return trimmed.hasPrefix("+") && digits >= 7 && trimmed.allSatisfy { $0.isNumber || " +-()/".contains($0) }
    }
}
