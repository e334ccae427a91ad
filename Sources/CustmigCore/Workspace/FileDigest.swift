import Crypto
import Foundation

/// SHA-256 of files and texts: what "the same inputs" means for a rerun, and how a mapping version's
/// content is recognised.
public enum FileDigest {
    public static func sha256(path: String) throws -> String {
        let source = try FileByteSource(path: path)
        var hasher = SHA256()
        // One buffer for every block: a fresh 4 MB array each time was mapped and faulted in anew.
        var block = [UInt8]()
        block.reserveCapacity(4 << 20)
        while true {
            block.removeAll(keepingCapacity: true)
            let count = try source.read(appendingTo: &block, count: 4 << 20)
            if count == 0 { break }
            hasher.update(data: block)
        }
        return hex(hasher.finalize())
    }

    public static func sha256(_ text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)))
    }

    /// Lower-case hex of `bytes` (the first `limit` of them).
    static func hex<Bytes: Sequence>(_ bytes: Bytes, limit: Int = .max) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var result: [UInt8] = []
        result.reserveCapacity(64)
        for (index, byte) in bytes.enumerated() {
            if index == limit { break }
            result.append(digits[Int(byte >> 4)])
            result.append(digits[Int(byte & 15)])
        }
        return String(decoding: result, as: UTF8.self)
    }
}
