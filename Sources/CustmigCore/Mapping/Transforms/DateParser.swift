import Foundation

/// Reads a date in one of the given layouts (`dd.MM.yyyy`, `yyyyMMdd`, `MM/dd/yyyy`…) and writes it as
/// ISO 8601 (`2011-09-25`). Layouts are tried in order; the first that fits wins. Impossible dates
/// (`31.02.2011`, `00.00.0000`) are invalid. Two-digit years (`yy`) are read as 1970–2069 and noted.
public enum DateParser {
    public static func parse(_ value: String, layouts: [String]) -> TransformResult {
        let text = value.trimmedWhitespace
        guard !text.isEmpty else { return .ok("") }
        for layout in layouts {
            if let (date, twoDigitYear) = read(text, layout: layout) {
                return twoDigitYear
                    ? .note(date, "two-digit year in \"\(value)\" read as \(date.prefix(4))") : .ok(date)
            }
        }
        return .invalid(value, "\"\(value)\" is not a valid date in \(layouts.joined(separator: " or "))")
    }

    static func read(_ text: String, layout: String) -> (String, Bool)? {
        let characters = Array(text)
        let pattern = Array(layout)
        var year: Int?
        var month: Int?
        var day: Int?
        var twoDigitYear = false
        var position = 0
        var index = 0
        while index < pattern.count {
            let symbol = pattern[index]
            var run = 1
            while index + run < pattern.count && pattern[index + run] == symbol { run += 1 }
            if "yMdHms".contains(symbol) {
                guard position + run <= characters.count else { return nil }
                let digits = String(characters[position..<(position + run)])
                guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits) else { return nil }
                switch symbol {
                case "y":
                    if run == 2 {
                        twoDigitYear = true
                        year = number < 70 ? 2000 + number : 1900 + number
                    } else {
                        year = number
                    }
                case "M": month = number
                case "d": day = number
                default: break
                }
                position += run
            } else {
                for offset in 0..<run {
                    guard position < characters.count, characters[position] == pattern[index + offset] else { return nil }
                    position += 1
                }
            }
            index += run
        }
        guard position == characters.count, let year, let month, let day, year >= 1000, year <= 9999,
            (1...12).contains(month), day >= 1
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return nil }
        func two(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }
        return ("\(year)-\(two(month))-\(two(day))", twoDigitYear)
    }
}
