import CustmigCore
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The one place the CLI writes to the terminal.
enum Terminal {
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    static func error(_ text: String) {
        FileHandleWriter.standardError.write(text + "\n")
    }

    static func out(_ text: String) {
        FileHandleWriter.standardOutput.write(text + "\n")
    }

    /// Text from the data made safe for a terminal: control characters (an escape sequence in a legacy
    /// value would move the cursor, recolour or retitle the terminal) are shown as `\u{1B}`, line
    /// breaks and tabs as `\n`, `\t`.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where isControl(scalar): result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// `--json` output: pretty, keys sorted, dates in ISO 8601.
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        out(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Prints findings as `file:line: severity: [CODE] message Fix: …`, at most `limit` of them.
    static func report(_ findings: [Finding], limit: Int = 20, alreadyShown: inout Int) {
        for finding in findings {
            if alreadyShown < limit { error(finding.description) }
            alreadyShown += 1
            if alreadyShown == limit + 1 { error("… further findings are counted but not shown.") }
        }
    }
}

/// Buffered writes to a file descriptor (stdout is written in large blocks for `peek`). Progress lines
/// come from the stages' threads, so the buffer is behind a lock.
final class FileHandleWriter: Sendable {
    static let standardOutput = FileHandleWriter(descriptor: 1)
    static let standardError = FileHandleWriter(descriptor: 2, bufferLimit: 0)

    private let descriptor: Int32
    private let buffer = Mutex<[UInt8]>([])
    private let bufferLimit: Int

    init(descriptor: Int32, bufferLimit: Int = 1 << 16) {
        self.descriptor = descriptor
        self.bufferLimit = bufferLimit
    }

    func write(_ text: String) {
        buffer.withLock { buffer in
            buffer.append(contentsOf: text.utf8)
            if buffer.count > bufferLimit { drain(&buffer) }
        }
    }

    func flush() { buffer.withLock { drain(&$0) } }

    private func drain(_ buffer: inout [UInt8]) {
        var offset = 0
        buffer.withUnsafeBytes { raw in
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
