import Testing

@testable import CustmigCore

@Suite("Hash128 from hex")
struct Hash128Tests {
    @Test(
        "hex bytes read as the hex string reads them, and nothing else",
        arguments: [
            "0123456789abcdef0123456789abcdef", "FFFFFFFFFFFFFFFF0000000000000001", "00000000000000000000000000000000",
            "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdeg", "",
            "0123456789abcdef0123456789abcdef0",
            "+123456789abcdef0123456789abcdef", "0123456789abcdef+123456789abcdef", "0123456789ABCDEF0123456789abcdef",
            "0123456789abcdef0123456789abcdé",
        ])
    func sameAsString(_ text: String) {
        var bytes = text
        let fromBytes = bytes.withUTF8 { Hash128(hexBytes: $0) }
        #expect(fromBytes == Hash128(hex: text))
        #expect((fromBytes != nil) == (text.utf8.count == 32 && text.allSatisfy(\.isHexDigit)))
        #expect(Hash128(hex: text)?.hexText == (fromBytes == nil ? nil : text.lowercased()))
    }
}
