@testable import CustmigCore
import Testing

@Suite("Folding for matching: the native table against Foundation")
struct FoldingTests {
    /// Characters names and streets carry, and some that must send the text to Foundation.
    static let pool: [String] = [
        "a", "Z", "0", "9", " ", "  ", "\t", ".", "'", "’", "&", "+", "-", "/", ",", "(", ")", "ä", "Ö", "ü", "ß",
        "é", "È", "ç", "ñ", "ø", "Å", "æ", "Œ", "ł", "Ł", "ş", "ğ", "İ", "ı", "đ", "ŉ", "ǅ", "ſ", "µ", "ª", "º", "¹",
        "½", "×", "÷", "©", "\u{00A0}", "\u{0301}", "\u{2019}", "Ω", "Д", "東", "😀", "ﬁ", "Ａ", "\u{0007}",
    ]

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
