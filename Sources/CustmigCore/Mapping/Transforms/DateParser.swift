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

    /// Reads `text` in one layout, byte by byte: layout letters `y M d H m s` take that many ASCII
    /// digits (a single `d`, `M`, `H`, `m` or `s` takes one or two, as in `d.M.yyyy`), text in single
    /// quotes is literal (`yyyy-MM-dd'T'HH:mm:ss`, `''` is a quote), every other layout character must
    /// appear as it is.
    static func read(_ text: String, layout: String) -> (String, Bool)? {
        let characters = Array(text.utf8)
        let pattern = Array(layout.utf8)
        var year: Int?
        var month: Int?
        var day: Int?
        var twoDigitYear = false
        var position = 0
        var index = 0
        while index < pattern.count {
            let symbol = pattern[index]
            if symbol == UInt8(ascii: "'") {
                // A quoted literal; '' stands for one quote.
                var end = index + 1
                while end < pattern.count && pattern[end] != UInt8(ascii: "'") { end += 1 }
                let literal = end == index + 1 ? [UInt8(ascii: "'")] : Array(pattern[(index + 1)..<end])
                for byte in literal {
                    guard position < characters.count, characters[position] == byte else { return nil }
                    position += 1
                }
                index = end + 1
                continue
            }
            var run = 1
            while index + run < pattern.count && pattern[index + run] == symbol { run += 1 }
            if Self.fieldLetters.contains(symbol) {
                var width = run
                if run == 1 && symbol != UInt8(ascii: "y") {
                    // One or two digits: two when a second digit follows.
                    let isDigit = { (at: Int) in at < characters.count && characters[at] >= 0x30 && characters[at] <= 0x39 }
                    width = isDigit(position + 1) ? 2 : 1
                }
                guard position + width <= characters.count else { return nil }
                var number = 0
                for digit in characters[position..<(position + width)] {
                    guard digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "9") else { return nil }
                    number = number * 10 + Int(digit - UInt8(ascii: "0"))
                }
                switch symbol {
                case UInt8(ascii: "y"):
                    if run == 2 {
                        twoDigitYear = true
                        year = number < 70 ? 2000 + number : 1900 + number
                    } else {
                        year = number
                    }
                case UInt8(ascii: "M"): month = number
                case UInt8(ascii: "d"): day = number
                default: break
                }
                position += width
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
        let zero = UInt8(ascii: "0")
        let iso: [UInt8] = [
            zero + UInt8(year / 1000), zero + UInt8(year / 100 % 10), zero + UInt8(year / 10 % 10), zero + UInt8(year % 10),
            UInt8(ascii: "-"), zero + UInt8(month / 10), zero + UInt8(month % 10),
            UInt8(ascii: "-"), zero + UInt8(day / 10), zero + UInt8(day % 10),
        ]
        return (String(decoding: iso, as: UTF8.self), twoDigitYear)
    }

    private static let fieldLetters = Set("yMdHms".utf8)
}
