import Foundation

/// Normalizes a currency to ISO 4217 (`EUR`): accepts codes in any case, numeric codes, names and the
/// unambiguous symbols (`€`, `£`, `¥`→ review since it is JPY or CNY, `$` → review since it is many).
public enum CurrencyNormalizer {
    static let index: [String: String] = {
        var index: [String: String] = [:]
        for line in CurrencyData.lines {
            let parts = line.split(separator: ";").map(String.init)
            index[parts[0].lowercased()] = parts[0]
            if parts.count > 1 { index[parts[1]] = parts[0] }
            if parts.count > 2 { index[TextFolding.fold(parts[2])] = parts[0] }
        }
        for (alias, code) in ["euro": "EUR", "euros": "EUR", "€": "EUR", "£": "GBP", "pound sterling": "GBP",
            "sfr": "CHF", "fr": "CHF", "us dollar": "USD", "us$": "USD", "dollar": "USD", "zl": "PLN", "zł": "PLN"]
        {
            index[alias] = code
        }
        return index
    }()

    static let ambiguous: Set<String> = ["$", "¥", "kr", "kr."]

    /// ISO 4217 codes that are not money a customer pays in: placeholders, tests, metals, fund units.
    static let notACurrency: [String: String] = [
        "XXX": "\"no currency\"", "XTS": "testing", "XAU": "gold", "XAG": "silver", "XPT": "platinum", "XPD": "palladium",
        "XDR": "the IMF's special drawing right", "XUA": "the ADB unit of account", "XSU": "the Sucre",
        "XBA": "a bond market unit", "XBB": "a bond market unit", "XBC": "a bond market unit", "XBD": "a bond market unit",
        "BOV": "a fund (Mvdol)", "CHE": "a fund (WIR Euro)", "CHW": "a fund (WIR Franc)", "CLF": "a fund (Unidad de Fomento)",
        "COU": "a fund (Unidad de Valor Real)", "MXV": "a fund (UDI)", "USN": "a fund (US Dollar next day)",
        "UYI": "a fund (Unidades Indexadas)", "UYW": "a fund (Unidad Previsional)",
    ]

    public static func normalize(_ value: String) -> TransformResult {
        let trimmed = value.trimmedWhitespace
        guard !trimmed.isEmpty else { return .ok("") }
        if ambiguous.contains(trimmed.lowercased()) {
            return .review(value, "\"\(value)\" names several currencies; map it in a value table")
        }
        if let code = index[trimmed.lowercased()] ?? index[TextFolding.fold(trimmed)] {
            if let meaning = notACurrency[code] {
                return .review(value, "\"\(value)\" is ISO 4217's code for \(meaning), not a currency a customer can be billed in")
            }
            return .ok(code)
        }
        return .review(value, "\"\(value)\" is not an ISO 4217 currency")
    }
}
