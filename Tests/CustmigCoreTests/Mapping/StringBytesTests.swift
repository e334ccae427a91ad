import Foundation
import Testing

@testable import CustmigCore

/// The native byte search and replace that stand in for Foundation's on the map's hot path give what
/// Foundation gives, so findings and transforms read the same as before.
@Suite("string bytes")
struct StringBytesTests {
    static let cases: [(text: String, needle: String)] = [
        ("\"j@@x.de\" is not a valid email address", "j@@x.de"),
        ("aaaa", "aa"),  // not overlapping, left to right
        ("aaa", "aa"),
        ("DE12 twice: DE12", "DE12"),
        ("no match here", "zz"),
        ("", "x"),
        ("x", "longer than the text"),
        ("Straße 5, Straße 7", "Straße"),
        ("Café or Cafe\u{301}", "Cafe\u{301}"),  // canonically equal, other bytes: only the same bytes match
        ("Café or Cafe\u{301}", "Café"),
        ("🇩🇪 Berlin 🇩🇪", "🇩🇪"),
        ("end of text", "text"),
        ("text at the start", "text"),
        (String(repeating: "ab", count: 3_000), "ba"),
    ]

    @Test("replacingBytes gives what Foundation's literal replacingOccurrences gives")
    func replaceLikeFoundation() {
        for (text, needle) in Self.cases {
            let native = text.replacingBytes(of: needle, with: "\u{1}")
            let foundation = text.replacingOccurrences(of: needle, with: "\u{1}", options: .literal)
            #expect(native.utf8.elementsEqual(foundation.utf8), "\(text.prefix(40).debugDescription) / \(needle)")
        }
    }

    @Test("containsBytes finds a needle's bytes anywhere, and an empty needle always")
    func contains() {
        for (text, needle) in Self.cases {
            let expected =
                text.utf8.count >= needle.utf8.count
                && (0...(text.utf8.count - needle.utf8.count)).contains { start in
                    Array(text.utf8).dropFirst(start).starts(with: needle.utf8)
                }
            #expect(text.containsBytes(needle) == expected, "\(text.prefix(40).debugDescription) / \(needle)")
        }
        #expect("abc".containsBytes(""))
        #expect("".containsBytes(""))
        #expect(!"".containsBytes("a"))
    }
}
