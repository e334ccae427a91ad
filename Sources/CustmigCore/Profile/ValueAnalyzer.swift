/// Looks at one value's UTF-8 bytes once and says what it could be: its shape, length, types it fits,
/// date layouts it matches and its number, if it is one.
/// What each byte is, for the analyzer: a class in the low 4 bits, its pattern character above.
enum ByteClasses {
    static let digit = 0, upper = 1, lower = 2, space = 3, at = 4, dot = 5, comma = 6, dash = 7, slash = 8
    static let plus = 9, paren = 10, apostrophe = 11, otherASCII = 12, nonASCIILead = 13, continuation = 14
    /// C0 controls but tab, line feed and carriage return, and DEL (`map` replaces them with spaces).
    static let control = 15

    static let table: [UInt16] = (0..<256).map { value -> UInt16 in
        let byte = UInt8(value)
        func entry(_ kind: Int, _ shape: UInt8) -> UInt16 { UInt16(kind) | UInt16(shape) << 8 }
        switch byte {
        case 48...57: return entry(digit, 57)
        case 65...90: return entry(upper, 65)
        case 97...122: return entry(lower, 97)
        case 32, 9: return entry(space, 32)
        case 64: return entry(at, byte)
        case 46: return entry(dot, byte)
        case 44: return entry(comma, byte)
        case 45: return entry(dash, byte)
        case 47: return entry(slash, byte)
        case 43: return entry(plus, byte)
        case 40, 41: return entry(paren, byte)
        case 39: return entry(apostrophe, byte)
        case 0..<32 where byte != 10 && byte != 13, 127: return entry(control, 63)
        case 0..<128: return entry(otherASCII, byte)
        case 0x80..<0xC0: return entry(continuation, 0)
        default: return entry(nonASCIILead, 97)
        }
    }
}

enum ValueAnalyzer {
    private static let flagWords: Set<UInt64> = {
        var words = Set<UInt64>()
        for word in ["x", "y", "n", "j", "0", "1", "t", "f", "yes", "no", "ja", "nein", "true", "false", "-"] {
            words.insert(pack(Array(word.utf8)))
        }
        return words
    }()

    private static func pack(_ bytes: [UInt8]) -> UInt64 {
        var value: UInt64 = 0
        for (index, byte) in bytes.enumerated() { value |= UInt64(byte) << (UInt64(index) * 8) }
        return value
    }

    static func analyze(_ base: UnsafePointer<UInt8>, _ count: Int) -> ValueFacts {
        var facts = ValueFacts()
        // One table lookup per byte: its class (counted) and its pattern character (0: none). The
        // counts live in plain memory while counting: a lane of a SIMD vector picked by a variable
        // index is a store into the spilled vector and a 16-byte reload, a store-forwarding stall per
        // byte that was ~70% of this function.
        var pattern = ShapePattern()
        let classCounts = withUnsafeTemporaryAllocation(of: Int32.self, capacity: 16) { counts -> SIMD16<Int32> in
            counts.initialize(repeating: 0)
            ByteClasses.table.withUnsafeBufferPointer { table in
                for index in 0..<count {
                    let entry = table[Int(base[index])]
                    counts[Int(entry & 0x0F)] &+= 1
                    let shape = UInt8(truncatingIfNeeded: entry >> 8)
                    if shape != 0 { pattern.append(shape) }
                }
            }
            return SIMD16(counts)
        }
        let digits = Int(classCounts[ByteClasses.digit])
        let upper = Int(classCounts[ByteClasses.upper])
        let lower = Int(classCounts[ByteClasses.lower])
        let spaces = Int(classCounts[ByteClasses.space])
        let at = Int(classCounts[ByteClasses.at])
        let dots = Int(classCounts[ByteClasses.dot])
        let commas = Int(classCounts[ByteClasses.comma])
        let dashes = Int(classCounts[ByteClasses.dash])
        let slashes = Int(classCounts[ByteClasses.slash])
        let plus = Int(classCounts[ByteClasses.plus])
        let parens = Int(classCounts[ByteClasses.paren])
        let apostrophes = Int(classCounts[ByteClasses.apostrophe])
        let otherASCII = Int(classCounts[ByteClasses.otherASCII]) + Int(classCounts[ByteClasses.control])
        let nonASCII = Int(classCounts[ByteClasses.nonASCIILead])
        let characters = Int32(count) - classCounts[ByteClasses.continuation]
        facts.characters = characters
        facts.pattern = pattern
        facts.nonASCII = nonASCII > 0
        facts.control = classCounts[ByteClasses.control] > 0
        guard count > 0 else { return facts }
        if spaces == count {
            facts.blank = true
            return facts
        }
        var start = 0
        var end = count
        while start < end && (base[start] == 32 || base[start] == 9) { start += 1 }
        while end > start && (base[end - 1] == 32 || base[end - 1] == 9) { end -= 1 }
        facts.leadingSpace = start > 0
        facts.trailingSpace = end < count
        let trimmed = base + start
        let length = end - start
        let innerSpaces = spaces - start - (count - end)
        let letters = upper + lower + nonASCII
        var types = ValueType.text.bit

        if length <= 5 {
            var packed: UInt64 = 0
            for index in 0..<length {
                let byte = trimmed[index]
                packed |= UInt64(byte >= 65 && byte <= 90 ? byte + 32 : byte) << (UInt64(index) * 8)
            }
            if flagWords.contains(packed) { types |= ValueType.flag.bit }
        }
        let signed = trimmed[0] == 45 || trimmed[0] == 43
        let body = signed ? length - 1 : length
        if digits == body && body > 0 && digits <= 18 {
            let first = trimmed[signed ? 1 : 0]
            if first != 48 || body == 1 {
                types |= ValueType.integer.bit | ValueType.decimal.bit
                facts.isNumber = true
                facts.number = parseDigits(trimmed + (signed ? 1 : 0), body) * (trimmed[0] == 45 ? -1 : 1)
            }
        } else if digits > 0 && letters == 0 && innerSpaces == 0 && at == 0 && slashes == 0 && parens == 0
            && otherASCII == 0 && (dots + commas + apostrophes) > 0 && dashes + plus <= 1
        {
            if let (number, comma) = parseDecimal(trimmed, length) {
                types |= ValueType.decimal.bit
                facts.isNumber = true
                facts.number = number
                facts.decimalComma = comma
            }
        }
        // An ISO timestamp's only letters are its "T" and a "Z" for UTC (2019-03-04T10:22:00Z).
        let timestampLetters = length >= 19 ? (trimmed[10] == 84 ? 1 : 0) + (trimmed[length - 1] == 90 ? 1 : 0) : 0
        if letters == timestampLetters && digits >= 6 && length <= 10 + 19 {
            let layouts = dateLayouts(trimmed, length)
            if layouts != 0 {
                types |= ValueType.date.bit
                facts.dateLayouts = layouts
            }
        }
        if at == 1 && innerSpaces == 0 && dots >= 1 && isEmail(trimmed, length) { types |= ValueType.email.bit }
        if digits >= 6 && digits <= 15 && letters == 0 && at == 0 && commas == 0 && otherASCII == 0 && apostrophes == 0
            && (trimmed[0] == 43 || parens > 0 || innerSpaces + dashes + slashes + dots > 0)
        {
            types |= ValueType.phone.bit
        }
        if length == 2 && upper == 2 && CountryCodes.alpha2Packed.contains(UInt16(trimmed[0]) << 8 | UInt16(trimmed[1]))
        {
            types |= ValueType.country.bit
        }
        if length >= 15 && upper >= 2 && lower == 0 && otherASCII == 0 && isIBAN(trimmed, length) {
            types |= ValueType.iban.bit
        }
        if length >= 8 && length <= 18 && upper >= 2 && lower == 0 && digits >= 6 && isVATShape(trimmed, length) {
            types |= ValueType.vatId.bit
        }
        if length <= 12 && innerSpaces == 0 && lower == 0 && nonASCII == 0 && at == 0 && commas == 0 && parens == 0
            && otherASCII == 0 && apostrophes == 0 && plus == 0
        {
            types |= ValueType.code.bit
        }
        facts.types = types
        return facts
    }

    @inline(__always)
    private static func parseDigits(_ base: UnsafePointer<UInt8>, _ count: Int) -> Double {
        var value: Int64 = 0
        for index in 0..<count { value = value &* 10 &+ Int64(base[index] - 48) }
        return Double(value)
    }

    /// Parses `1.234,56`, `1,234.56`, `1234,5`, `1'234.50`, `-12.5`; nil when grouping is inconsistent.
    /// A lone separator is read as the decimal separator.
    static func parseDecimal(_ base: UnsafePointer<UInt8>, _ count: Int) -> (Double, Bool)? {
        var start = 0
        var negative = false
        if base[0] == 45 || base[0] == 43 {
            negative = base[0] == 45
            start = 1
        }
        var lastSeparator = -1
        var lastSeparatorByte: UInt8 = 0
        for index in start..<count where base[index] == 46 || base[index] == 44 || base[index] == 39 {
            lastSeparator = index
            lastSeparatorByte = base[index]
        }
        guard lastSeparator > start, lastSeparator < count - 1, lastSeparatorByte != 39 else { return nil }
        // Grouping separators: every separator before the decimal one, each followed by exactly 3 digits.
        var integer: Int64 = 0
        var groupLength = 0
        var sawGrouping = false
        var groupingByte: UInt8 = 0
        for index in start..<lastSeparator {
            let byte = base[index]
            if byte >= 48 && byte <= 57 {
                integer = integer &* 10 &+ Int64(byte - 48)
                groupLength += 1
            } else {
                if byte == lastSeparatorByte { return nil }
                if sawGrouping && (groupLength != 3 || byte != groupingByte) { return nil }
                if !sawGrouping && (groupLength == 0 || groupLength > 3) { return nil }
                sawGrouping = true
                groupingByte = byte
                groupLength = 0
            }
        }
        if sawGrouping && groupLength != 3 { return nil }
        var fraction = 0.0
        var scale = 0.1
        for index in (lastSeparator + 1)..<count {
            let byte = base[index]
            guard byte >= 48 && byte <= 57 else { return nil }
            fraction += Double(byte - 48) * scale
            scale /= 10
        }
        let value = Double(integer) + fraction
        return (negative ? -value : value, lastSeparatorByte == 44)
    }

    private static func number(_ base: UnsafePointer<UInt8>, _ from: Int, _ length: Int) -> Int? {
        var value = 0
        for index in from..<(from + length) {
            let byte = base[index]
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    private static func validDate(year: Int?, month: Int?, day: Int?) -> Bool {
        guard let year, let month, let day, year >= 1800, year <= 2200, month >= 1, month <= 12, day >= 1 else {
            return false
        }
        let days = [
            31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
            31,
        ]
        return day <= days[month - 1]
    }

    static func dateLayouts(_ base: UnsafePointer<UInt8>, _ length: Int) -> UInt16 {
        var layouts: UInt16 = 0
        if length == 8 {
            if validDate(year: number(base, 0, 4), month: number(base, 4, 2), day: number(base, 6, 2)) {
                layouts |= DateLayout.compact.bit
            }
            if base[2] == 46 && base[5] == 46,
                let year = number(base, 6, 2),
                validDate(year: 2000 + year, month: number(base, 3, 2), day: number(base, 0, 2))
            {
                layouts |= DateLayout.dayMonthShortYearDots.bit
            }
        }
        if length == 10 || (length >= 19 && (base[10] == 84 || base[10] == 32)) {
            if base[4] == 45 && base[7] == 45
                && validDate(year: number(base, 0, 4), month: number(base, 5, 2), day: number(base, 8, 2))
            {
                layouts |= length == 10 ? DateLayout.iso.bit : DateLayout.isoDateTime.bit
            }
        }
        if length == 10 {
            if base[2] == 46 && base[5] == 46
                && validDate(year: number(base, 6, 4), month: number(base, 3, 2), day: number(base, 0, 2))
            {
                layouts |= DateLayout.dayMonthYearDots.bit
            }
            if base[2] == 47 && base[5] == 47 {
                if validDate(year: number(base, 6, 4), month: number(base, 0, 2), day: number(base, 3, 2)) {
                    layouts |= DateLayout.monthDayYearSlashes.bit
                }
                if validDate(year: number(base, 6, 4), month: number(base, 3, 2), day: number(base, 0, 2)) {
                    layouts |= DateLayout.dayMonthYearSlashes.bit
                }
            }
            if base[4] == 47 && base[7] == 47
                && validDate(year: number(base, 0, 4), month: number(base, 5, 2), day: number(base, 8, 2))
            {
                layouts |= DateLayout.yearMonthDaySlashes.bit
            }
        }
        return layouts
    }

    static func isEmail(_ base: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        var atIndex = -1
        for index in 0..<length where base[index] == 64 { atIndex = index }
        guard atIndex > 0, atIndex < length - 3 else { return false }
        var lastDot = -1
        var previous: UInt8 = 64
        for index in (atIndex + 1)..<length {
            let byte = base[index]
            if byte == 46 {
                if previous == 46 || previous == 64 { return false }
                lastDot = index
            } else if !(byte >= 48 && byte <= 57) && !(byte >= 65 && byte <= 90) && !(byte >= 97 && byte <= 122)
                && byte != 45 && byte < 0x80
            {
                return false
            }
            previous = byte
        }
        guard lastDot > atIndex + 1, length - lastDot - 1 >= 2 else { return false }
        for index in (lastDot + 1)..<length {
            let byte = base[index] | 0x20
            if !(byte >= 97 && byte <= 122) { return false }
        }
        for index in 0..<atIndex {
            let byte = base[index]
            if byte < 0x80 && !(byte >= 48 && byte <= 57) && !(byte >= 65 && byte <= 90) && !(byte >= 97 && byte <= 122)
                && byte != 46 && byte != 95 && byte != 45 && byte != 43 && byte != 37 && byte != 39
            {
                return false
            }
        }
        return base[0] != 46 && base[atIndex - 1] != 46
    }

    /// Country letters, check digits, then letters/digits; spaces ignored; the ISO 7064 mod-97 check must hold.
    /// Reads the bytes in place (no copy without the spaces: this runs for every long code-like value).
    static func isIBAN(_ base: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        // The first four non-space bytes (country and check digits) go last in the check.
        var head: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        var compact = 0
        var remainder = 0
        for index in 0..<length where base[index] != 32 {
            let byte = base[index]
            switch compact {
            case 0: head.0 = byte
            case 1: head.1 = byte
            case 2: head.2 = byte
            case 3: head.3 = byte
            default:
                guard let next = ibanStep(remainder, byte) else { return false }
                remainder = next
            }
            compact += 1
        }
        guard compact >= 15, compact <= 34 else { return false }
        guard head.0 >= 65 && head.0 <= 90 && head.1 >= 65 && head.1 <= 90,
            head.2 >= 48 && head.2 <= 57 && head.3 >= 48 && head.3 <= 57
        else { return false }
        // The head's bytes are known letters and digits here.
        remainder = ibanStep(ibanStep(ibanStep(ibanStep(remainder, head.0)!, head.1)!, head.2)!, head.3)!
        return remainder % 97 == 1
    }

    /// One byte of the mod-97 check: a digit, or a letter as its two-digit number (A = 10); nil otherwise.
    /// The number grows unreduced while it fits (a division per byte was most of the check's time):
    /// reducing modulo 97 whenever it passes 2^50 leaves the final remainder the same.
    @inline(__always)
    private static func ibanStep(_ remainder: Int, _ byte: UInt8) -> Int? {
        let number = remainder >= 1 << 50 ? remainder % 97 : remainder
        if byte >= 48 && byte <= 57 { return number * 10 + Int(byte - 48) }
        if byte >= 65 && byte <= 90 { return number * 100 + Int(byte) - 55 }
        return nil
    }

    /// An EU-style VAT id shape: a country prefix (or EL/CHE) and 8–12 letters or digits, ignoring spaces,
    /// dots and dashes (read in place).
    static func isVATShape(_ base: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        var compact = 0
        var first: UInt8 = 0
        var second: UInt8 = 0
        var digits = 0
        for index in 0..<length where base[index] != 32 && base[index] != 46 && base[index] != 45 {
            let byte = base[index]
            if compact == 0 {
                first = byte
            } else if compact == 1 {
                second = byte
            } else if byte >= 48 && byte <= 57 {
                digits += 1
            } else if !(byte >= 65 && byte <= 90) {
                return false
            }
            compact += 1
        }
        guard compact >= 10, compact <= 16 else { return false }
        let isEL = first == 69 && second == 76
        guard CountryCodes.alpha2Packed.contains(UInt16(first) << 8 | UInt16(second)) || isEL else { return false }
        return digits >= 6
    }
}
