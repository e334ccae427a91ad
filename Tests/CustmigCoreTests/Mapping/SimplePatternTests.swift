import Foundation
import Testing

@testable import CustmigCore

@Suite("Native shape patterns (VAT shapes, matches rules)")
struct SimplePatternTests {
    static let patterns = [
        "[0-9]{5}", "U[0-9]{8}", "[01][0-9]{9}", "[0-9]{9,10}", "[A-HJ-NP-Z0-9]{2}[0-9]{9}",
        "([0-9]{7}[A-W][A-I]?|[0-9][A-Z+*][0-9]{5}[A-W])", "([0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})",
        "[0-9]{9}MVA", "[0-9]{10}01", "[A-Z]+-[0-9]*", "(AB)+C?", "[0-9]{2,}", "a|b|", "x\\.y", "[a-c\\-]{1,3}",
        "[0-9]{3}[A-Z]{0,2}", "AB", "[0-9]{2}[0-9]{3,4}", "A?B",
    ]

    static let inputs = [
        "", "12345", "1234", "123456", "U12345678", "0123456789", "2123456789", "123456789", "1234567890",
        "AB123456789", "IO123456789", "1234567WA", "1234567W", "1+12345W", "GD123", "HA1234", "123456789012",
        "123456789MVA", "123456789001", "ABC-12", "ABC-", "-12", "ABABC", "ABAB", "C", "99", "9", "a", "b", "x.y",
        "xzy", "a-c", "d", "１２３４５", "1234５", "Ü12345678", "123", "123A", "123AB", "123ABC", "AB", "ABX", "B",
        "12ü45",
    ]

    @Test("matches exactly what Foundation's regular expressions match", arguments: patterns)
    func agreesWithFoundation(_ pattern: String) throws {
        let native = try #require(SimplePattern(pattern), "\(pattern) is in the subset")
        let expression = try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
        for input in Self.inputs {
            let expected = expression.firstMatch(in: input, range: NSRange(input.startIndex..., in: input)) != nil
            #expect(native.matches(input) == expected, "\(pattern) on \"\(input)\"")
            #expect(native.matchesLinearly(input) == expected, "automaton: \(pattern) on \"\(input)\"")
        }
    }

    @Test("a value with a trailing line break does not match (ICU's `$` would let it through)")
    func trailingLineBreak() throws {
        #expect(try #require(SimplePattern("[0-9]{5}")).matches("12345\n") == false)
    }

    @Test(
        "leaves patterns outside the subset to the full engine",
        arguments: [
            "a.c", "[^0-9]", "\\d{5}", "\\w+", "^abc$", "a*?", "(?i)abc", "ä", "[0-9", "a{2", "(ab", "a{3,1}", "[]a]",
            "[a&&b]", "[[a]]",
        ])
    func outsideSubset(_ pattern: String) {
        #expect(SimplePattern(pattern) == nil)
    }

    @Test("every VAT shape is matched natively")
    func vatShapes() {
        for (country, shape) in VATNormalizer.shapes {
            #expect(SimplePattern(shape) != nil, "\(country): \(shape)")
        }
        #expect(VATNormalizer.expressions.count == VATNormalizer.shapes.count)
    }

    @Test("a rule pattern outside the subset still works through Foundation")
    func ruleFallback() throws {
        let digits = try #require(RulePattern("\\d{5}"))
        #expect(digits.matches("12345") == true)
        #expect(digits.matches("١٢٣٤٥") == true, "Arabic-Indic digits are digits for ICU")
        #expect(digits.matches("1234") == false)
        #expect(RulePattern("[0-9") == nil)
    }

    @Test(
        "split pieces by a one-byte or longer separator",
        arguments: [
            ("Meyer, Anna", ",", 0, "Meyer"), ("Meyer, Anna", ",", 1, " Anna"), ("Meyer, Anna", ",", 2, ""),
            ("a,,b", ",", 1, ""), ("a,,b", ",", 2, "b"), (",", ",", 1, ""), ("", ",", 0, ""), ("", ",", 1, ""),
            ("Müller;Straße", ";", 1, "Straße"), ("a::b::c", "::", 2, "c"), ("a::b", "::", 3, ""),
        ])
    func pieces(_ text: String, _ separator: String, _ part: Int, _ expected: String) {
        #expect(text.piece(part, separatedBy: separator) == expected)
    }
}
