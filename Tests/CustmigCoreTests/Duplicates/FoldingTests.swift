@testable import CustmigCore
import Foundation
import Testing

@Suite("Folding for matching: the native table against Foundation")
struct FoldingTests {
    /// Characters names and streets carry, and some that must send the text to Foundation.
    static let pool: [String] = [
        "a", "Z", "0", "9", " ", "  ", "\t", ".", "'", "’", "&", "+", "-", "/", ",", "(", ")", "ä", "Ö", "ü", "ß",
        "é", "È", "ç", "ñ", "ø", "Å", "æ", "Œ", "ł", "Ł", "ş", "ğ", "İ", "ı", "đ", "ŉ", "ǅ", "ſ", "µ", "ª", "º", "¹",
        "½", "×", "÷", "©", "\u{00A0}", "\u{0301}", "\u{2019}", "Ω", "Д", "東", "😀", "ﬁ", "Ａ", "\u{0007}",
    ]

    @Test(
        "composing (NFC): decomposed text is composed; every text below U+0300, which the fast path returns as is, is NFC already",
        arguments: [
            ("Mu\u{308}ller", "Müller"), ("Ange\u{301}lique", "Angélique"), ("\u{212B}ngstro\u{308}m", "Ångström"),
            ("\u{1100}\u{1161}", "가"), ("Łódź", "Łódź"), ("ASCII only", "ASCII only"), ("", ""),
            ("e\u{301}\u{301}", "é\u{301}"), ("Ωmega \u{2126}", "Ωmega Ω"),
        ])
    func composed(_ pair: (String, String)) {
        #expect(Array(TextFolding.composed(pair.0).utf8) == Array(pair.1.utf8), "\(pair.0.debugDescription)")
    }

    @Test("no scalar below U+0300 changes under NFC, alone or after a letter (the fast path's premise)")
    func belowCombiningMarks() {
        for value in 0..<0x300 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            for text in [String(scalar), "a" + String(scalar), String(scalar) + "a"] {
                #expect(Array(text.precomposedStringWithCanonicalMapping.utf8) == Array(text.utf8), "U+\(String(value, radix: 16))")
            }
        }
    }

    @Test("every scalar of the table folds as Foundation folds it, alone and between letters")
    func everyScalar() {
        for value in 0..<0x250 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            for text in [String(scalar), "a" + String(scalar) + "b", String(scalar) + " x " + String(scalar)] {
                #expect(MatchNormalizer.fold(text) == MatchNormalizer.foldUnicode(text), "U+\(String(value, radix: 16)) in \(text.debugDescription)")
            }
        }
    }

    @Test("random mixes fold the same both ways; text outside the table takes Foundation's path")
    func randomMixes() {
        var random = SampleRandom(seed: 7)
        for _ in 0..<3_000 {
            let length = random.below(13)
            let text = (0..<length).map { _ in Self.pool[random.below(Self.pool.count)] }.joined()
            #expect(MatchNormalizer.fold(text) == MatchNormalizer.foldUnicode(text), "\(text.debugDescription)")
        }
        #expect(MatchNormalizer.foldLatin("Müller & Söhne") == "muller and sohne")
        #expect(MatchNormalizer.foldLatin("Straße") == "strasse")
        #expect(MatchNormalizer.foldLatin("Cafe\u{0301}") == nil)
        #expect(MatchNormalizer.foldLatin("O’Brien") == nil)
    }

    @Test("token-set similarity counts a repeated token once, as sets do")
    func repeatedTokens() {
        #expect(Similarity.tokenSet(["bau", "bau", "nord"], ["bau", "sud"]) == 0.5)
        #expect(Similarity.tokenSet(["x", "x"], ["x"]) == 1)
        #expect(Similarity.tokenSet(["a", "b", "b"], ["b", "c", "c"]) == 0.5)
    }
}
