import Crypto
import Foundation

/// SHA-256 of files and texts: what "the same inputs" means for a rerun, and how a mapping version's
/// content is recognised.
public enum FileDigest {
    public static func sha256(path: String) throws -> String {
        let source = try FileByteSource(path: path)
        var hasher = SHA256()
        while true {
            var block = [UInt8]()
            let count = try source.read(appendingTo: &block, count: 4 << 20)
            if count == 0 { break }
            hasher.update(data: block)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    public static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
