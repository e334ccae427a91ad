import Testing

@testable import CustmigCore

@Suite("Value analysis")
struct ValueAnalyzerTests {
    static func facts(_ text: String) -> ValueFacts {
        var text = text
        return text.withUTF8 { ValueAnalyzer.analyze($0.baseAddress!, $0.count) }
    }

    static func fits(_ text: String, _ type: ValueType) -> Bool { facts(text).types & type.bit != 0 }

    @Test(
        "types a value fits",
        arguments: [
            ("X", ValueType.flag, true), ("nein", .flag, true), ("maybe", .flag, false),
            ("DE", .country, true), ("XX", .country, false), ("de", .country, false), ("DEU", .country, false),
            ("12345", .integer, true), ("-42", .integer, true), ("00123", .integer, false), ("12a", .integer, false),
            ("1.234,56", .decimal, true), ("1,234.56", .decimal, true), ("1234,5", .decimal, true),
            ("1.23.4", .decimal, false), ("12.500,00", .decimal, true), ("1'234.50", .decimal, true),
            ("25.09.2011", .date, true), ("31.02.2011", .date, false), ("00.00.0000", .date, false),
            ("20110925", .date, true), ("2011-09-25", .date, true), ("09/25/2011", .date, true),
            ("2019-03-04T10:22:00Z", .date, true), ("2019-03-04T10:22:00", .date, true),
            ("2019-03-04X10:22:00Z", .date, false),
            ("anna@firm.de", .email, true), ("anna(at)firm.de", .email, false), ("anna@firm", .email, false),
            ("a@@firm.de", .email, false), ("ANNA.MEYER@FIRM.DE", .email, true),
            ("+49 30 1234567", .phone, true), ("(030) 123 45 67", .phone, true), ("030/1234567", .phone, true),
            ("0301234567", .phone, false), ("12", .phone, false),
            ("DE89370400440532013000", .iban, true), ("DE89 3704 0044 0532 0130 00", .iban, true),
            ("DE88370400440532013000", .iban, false),
            ("DE123456789", .vatId, true), ("ATU12345678", .vatId, true), ("EL123456789", .vatId, true),
            ("DE 123 456 789", .vatId, true), ("XY123456789", .vatId, false),
            ("KUNA", .code, true), ("Z001", .code, true), ("NT30", .code, true), ("Kuna", .code, false),
            ("two words", .code, false),
        ] as [(String, ValueType, Bool)])
    func typeFit(_ value: String, _ type: ValueType, _ expected: Bool) {
        #expect(Self.fits(value, type) == expected, "\(value) as \(type)")
    }

    @Test(
        "shape patterns",
        arguments: [
            ("12345", "99999"), ("DE123456789", "AA999999999"), ("(212) 555-0142", "(999) 999-9999"),
            ("Köln", "Aaaa"), ("info@x.de", "aaaa@a.aa"), ("", ""),
            ("abcdefghijklmnopqrstuvwxyz0123", "aaaaaaaaaaaaaaaaaaaaaaaa…"),
        ])
    func pattern(_ value: String, _ expected: String) {
        #expect(Self.facts(value).pattern.text == expected)
    }

    @Test(
        "numbers are read with their separators",
        arguments: [
            ("1.234,56", 1234.56, true), ("1,234.56", 1234.56, false), ("-12.5", -12.5, false),
            ("27.000,00", 27000, true),
            ("42", 42, false),
        ])
    func numbers(_ value: String, _ number: Double, _ comma: Bool) {
        let facts = Self.facts(value)
        #expect(facts.isNumber)
        #expect(abs(facts.number - number) < 1e-9)
        #expect(facts.decimalComma == comma)
    }

    @Test("ambiguous slashed dates fit both layouts; impossible ones fit neither")
    func dateLayouts() {
        let both = Self.facts("05/06/2020").dateLayouts
        #expect(both & DateLayout.monthDayYearSlashes.bit != 0)
        #expect(both & DateLayout.dayMonthYearSlashes.bit != 0)
        let dayFirst = Self.facts("25/06/2020").dateLayouts
        #expect(dayFirst & DateLayout.monthDayYearSlashes.bit == 0)
        #expect(dayFirst & DateLayout.dayMonthYearSlashes.bit != 0)
        #expect(Self.facts("29.02.2023").dateLayouts == 0)
        #expect(Self.facts("29.02.2024").dateLayouts != 0)
    }

    @Test("blank, leading and trailing spaces and non-ASCII are noticed")
    func whitespace() {
        #expect(Self.facts("   ").blank)
        let padded = Self.facts("  Müller ")
        #expect(padded.leadingSpace && padded.trailingSpace && padded.nonASCII)
        #expect(padded.characters == 9)
    }
}

@Suite("Type bits")
struct TypeBitTests {
    @Test("each type's bit is its position among all types; each layout's too")
    func bits() {
        for (index, type) in ValueType.allCases.enumerated() { #expect(type.bit == 1 << UInt16(index)) }
        for (index, layout) in DateLayout.allCases.enumerated() { #expect(layout.bit == 1 << UInt16(index)) }
    }

    @Test("IBAN and VAT shapes read in place agree with their definitions on random code-like values")
    func shapesInPlace() {
        // The definitions, spelt out on copies: spaces dropped (and dots and dashes for VAT ids).
        func iban(_ bytes: [UInt8]) -> Bool {
            let compact = bytes.filter { $0 != 32 }
            guard (15...34).contains(compact.count), compact[0...1].allSatisfy({ (65...90).contains($0) }),
                compact[2...3].allSatisfy({ (48...57).contains($0) })
            else { return false }
            var remainder = 0
            for byte in compact[4...] + compact[0..<4] {
                if (48...57).contains(byte) {
                    remainder = (remainder * 10 + Int(byte - 48)) % 97
                } else if (65...90).contains(byte) {
                    remainder = (remainder * 100 + Int(byte) - 55) % 97
                } else {
                    return false
                }
            }
            return remainder == 1
        }
        func vat(_ bytes: [UInt8]) -> Bool {
            let compact = bytes.filter { $0 != 32 && $0 != 46 && $0 != 45 }
            guard (10...16).contains(compact.count) else { return false }
            let prefix = UInt16(compact[0]) << 8 | UInt16(compact[1])
            guard CountryCodes.alpha2Packed.contains(prefix) || compact[0...1] == [69, 76] else { return false }
            return compact[2...].allSatisfy { (48...57).contains($0) || (65...90).contains($0) }
                && compact[2...].filter { (48...57).contains($0) }.count >= 6
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789ABDEGLRTUXZ .-a".utf8)
        var agreed = 0
        var valid = 0
        for round in 0..<40_000 {
            var bytes: [UInt8]
            if round % 4 == 0 {
                // A real IBAN with one byte changed now and then.
                bytes = Array("DE89 3704 0044 0532 0130 00".utf8)
                if round % 8 == 0 {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = alphabet.randomElement()!
                }
            } else {
                bytes = (0..<Int.random(in: 1...36, using: &generator)).map { _ in alphabet.randomElement()! }
                if round % 3 == 0 { bytes.replaceSubrange(0..<min(2, bytes.count), with: Array("DE".utf8)) }
            }
            let (inPlaceIBAN, inPlaceVAT) = bytes.withUnsafeBufferPointer {
                (ValueAnalyzer.isIBAN($0.baseAddress!, $0.count), ValueAnalyzer.isVATShape($0.baseAddress!, $0.count))
            }
            #expect(inPlaceIBAN == iban(bytes), "\(String(decoding: bytes, as: UTF8.self)) as IBAN")
            #expect(inPlaceVAT == vat(bytes), "\(String(decoding: bytes, as: UTF8.self)) as VAT id")
            if inPlaceIBAN == iban(bytes) && inPlaceVAT == vat(bytes) { agreed += 1 }
            if inPlaceIBAN || inPlaceVAT { valid += 1 }
        }
        #expect(agreed == 40_000)
        // The random values reach both answers.
        #expect(valid > 1_000)
    }
}
