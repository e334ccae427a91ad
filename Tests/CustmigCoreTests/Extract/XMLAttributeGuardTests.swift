import Foundation
import Testing

@testable import CustmigCore

/// The guard that keeps libxml2 from comparing 200,000 attributes pairwise, fed as the parser feeds it.
@Suite("XML attribute guard")
struct XMLAttributeGuardTests {
    /// Scans `text` in chunks of `size` bytes; the first excess found, if any.
    static func scan(_ text: String, chunk size: Int) -> XMLAttributeGuard.Excess? {
        var guardState = XMLAttributeGuard()
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + size, bytes.count)
            if let excess = bytes[offset..<end].withUnsafeBytes({ guardState.scan($0) }) { return excess }
            offset = end
        }
        return nil
    }

    static func document(attributes: Int, valueLength: Int) -> String {
        let value = String(repeating: "v", count: valueLength)
        return "<?xml version=\"1.0\"?>\n<!-- a=1 b=2 -->\n<R><S x=\"1\">t</S><E "
            + (0..<attributes).map { "a\($0)=\"\(value)\"" }.joined(separator: " ") + "/></R>\n"
    }

    @Test(
        "a tag past the limit is found however the chunks fall, even when no chunk alone holds 10,000 `=`",
        arguments: [(20_000, 1, 4_096), (20_000, 1, 256 << 10), (12_000, 300, 256 << 10), (10_001, 0, 1_000)])
    func found(_ attributes: Int, _ valueLength: Int, _ chunk: Int) throws {
        let excess = try #require(
            Self.scan(Self.document(attributes: attributes, valueLength: valueLength), chunk: chunk))
        // The `<` of <E …>, where the document without attributes ends in "<E /></R>\n".
        #expect(excess.byteOffset == Int64(Self.document(attributes: 0, valueLength: 0).utf8.count - 10))
        #expect(excess.element == "E")
    }

    @Test("ordinary documents pass: many `=` in text, quotes holding `>` and `=`, 10,000 attributes exactly")
    func passes() {
        let text =
            "<?xml version=\"1.0\"?><R>"
            + String(repeating: "<S a=\"x>y=z\" b='1'>q=1&amp;r=2 ====</S>\n", count: 30_000)
            + "</R>"
        for chunk in [7, 4_096, 256 << 10] {
            #expect(Self.scan(text, chunk: chunk) == nil, "chunk \(chunk)")
        }
        #expect(Self.scan(Self.document(attributes: 10_000, valueLength: 2), chunk: 4_096) == nil)
    }
}
