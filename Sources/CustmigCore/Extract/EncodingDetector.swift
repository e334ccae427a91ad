/// What the encoding detector concluded about a file, and how sure it is.
public struct DetectedEncoding: Sendable, Hashable, Codable {
    public var encoding: TextEncoding
    /// Bytes of byte order mark at the start of the file (0 when none).
    public var bomLength: Int
    /// 0...1: 1 for a BOM or a declaration, lower for a guess from the bytes.
    public var confidence: Double
    /// Why, in words, for reports ("BOM", "valid UTF-8 with 1,204 multi-byte characters", …).
    public var reason: String
}

/// Guesses a CSV file's encoding from its first bytes.
///
/// A BOM decides. Otherwise valid UTF-8 wins; bytes that are not UTF-8 point to a single-byte
/// encoding: windows-1252 when 0x80–0x9F occur (C1 controls are never text in ISO-8859-1),
/// ISO-8859-15 when 0xA4 (the euro sign there) occurs, else windows-1252, which decodes those
/// bytes as ISO-8859-1 does. `--encoding` overrides any guess.
public enum EncodingDetector {
    public static func detect(_ sample: UnsafeRawBufferPointer) -> DetectedEncoding {
        let bytes = sample.bindMemory(to: UInt8.self)
        let count = bytes.count
        if count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            return DetectedEncoding(encoding: .utf8, bomLength: 3, confidence: 1, reason: "UTF-8 byte order mark")
        }
        if count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE {
            return DetectedEncoding(encoding: .utf16LE, bomLength: 2, confidence: 1, reason: "UTF-16LE byte order mark")
        }
        if count >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF {
            return DetectedEncoding(encoding: .utf16BE, bomLength: 2, confidence: 1, reason: "UTF-16BE byte order mark")
        }
        if count == 0 {
            return DetectedEncoding(encoding: .utf8, bomLength: 0, confidence: 1, reason: "empty file")
        }
        if let utf16 = guessBOMlessUTF16(bytes) { return utf16 }

        let scan = UTF8Validator.scan(bytes, allowTruncatedEnd: true)
        if scan.invalidSequences == 0 {
            if scan.multiByteCharacters > 0 {
                return DetectedEncoding(
                    encoding: .utf8, bomLength: 0, confidence: 0.99,
                    reason: "valid UTF-8 with \(scan.multiByteCharacters) multi-byte characters in the first \(count) bytes")
            }
            return DetectedEncoding(
                encoding: .utf8, bomLength: 0, confidence: 0.9,
                reason: "only ASCII in the first \(count) bytes; read as UTF-8")
        }
        if scan.multiByteCharacters > scan.invalidSequences {
            return DetectedEncoding(
                encoding: .utf8, bomLength: 0, confidence: 0.7,
                reason: "mostly valid UTF-8 (\(scan.multiByteCharacters) multi-byte characters, "
                    + "\(scan.invalidSequences) invalid sequences)")
        }
        var c1 = 0
        var a4 = 0
        for byte in bytes {
            if byte >= 0x80 && byte <= 0x9F { c1 += 1 } else if byte == 0xA4 { a4 += 1 }
        }
        if c1 > 0 {
            return DetectedEncoding(
                encoding: .windows1252, bomLength: 0, confidence: 0.9,
                reason: "not UTF-8; \(c1) bytes in 0x80–0x9F, which only windows-1252 uses as text")
        }
        if a4 > 0 {
            return DetectedEncoding(
                encoding: .iso8859_15, bomLength: 0, confidence: 0.6,
                reason: "not UTF-8; byte 0xA4 (€ in ISO-8859-15, ¤ in ISO-8859-1) occurs \(a4) times")
        }
        return DetectedEncoding(
            encoding: .windows1252, bomLength: 0, confidence: 0.7,
            reason: "not UTF-8; single-byte text without 0x80–0x9F (windows-1252 and ISO-8859-1 read it alike)")
    }

    private static func guessBOMlessUTF16(_ bytes: UnsafeBufferPointer<UInt8>) -> DetectedEncoding? {
        let pairs = min(bytes.count / 2, 4096)
        guard pairs >= 8 else { return nil }
        var evenZeros = 0
        var oddZeros = 0
        for index in 0..<pairs {
            if bytes[index * 2] == 0 { evenZeros += 1 }
            if bytes[index * 2 + 1] == 0 { oddZeros += 1 }
        }
        if oddZeros * 10 >= pairs * 7 && evenZeros * 10 < pairs {
            return DetectedEncoding(
                encoding: .utf16LE, bomLength: 0, confidence: 0.8, reason: "no BOM; zero bytes in odd positions")
        }
        if evenZeros * 10 >= pairs * 7 && oddZeros * 10 < pairs {
            return DetectedEncoding(
                encoding: .utf16BE, bomLength: 0, confidence: 0.8, reason: "no BOM; zero bytes in even positions")
        }
        return nil
    }
}
