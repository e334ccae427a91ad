/// Guesses a CSV extract's delimiter and line endings from its first lines.
///
/// For each candidate (`,` `;` `|` tab) it counts occurrences outside quotes on each of the first
/// lines; the delimiter is the candidate whose count is the same on most lines, with the higher
/// count breaking ties. A file with one column falls back to `,`.
public enum CSVDialectSniffer {
    static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")]

    public static func sniffDelimiter(_ bytes: UnsafeBufferPointer<UInt8>, maxLines: Int = 50) -> UInt8 {
        var counts = [[Int]](repeating: [], count: candidates.count)
        var current = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var lines = 0
        var index = 0
        while index < bytes.count && lines < maxLines {
            let byte = bytes[index]
            if byte == 0x22 {
                inQuotes.toggle()
            } else if !inQuotes && (byte == 10 || byte == 13) {
                if byte == 13 && index + 1 < bytes.count && bytes[index + 1] == 10 { index += 1 }
                for slot in 0..<candidates.count { counts[slot].append(current[slot]) }
                current = [Int](repeating: 0, count: candidates.count)
                lines += 1
            } else if !inQuotes, let slot = candidates.firstIndex(of: byte) {
                current[slot] += 1
            }
            index += 1
        }
        if lines < maxLines && current.contains(where: { $0 > 0 }) {
            for slot in 0..<candidates.count { counts[slot].append(current[slot]) }
        }
        var best: (slot: Int, consistency: Int, mode: Int) = (0, 0, 0)
        for slot in 0..<candidates.count {
            var frequency: [Int: Int] = [:]
            for value in counts[slot] where value > 0 { frequency[value, default: 0] += 1 }
            guard let (mode, times) = frequency.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }) else { continue }
            if times > best.consistency || (times == best.consistency && mode > best.mode) {
                best = (slot, times, mode)
            }
        }
        return best.consistency == 0 ? UInt8(ascii: ",") : candidates[best.slot]
    }

    public static func sniffLineEnding(_ bytes: UnsafeBufferPointer<UInt8>) -> CSVDialect.LineEnding {
        var crlf = 0
        var lf = 0
        var cr = 0
        var index = 0
        var inQuotes = false
        while index < bytes.count {
            if bytes[index] == 0x22 {
                inQuotes.toggle()
            } else if inQuotes {
                // Line breaks inside quoted values say nothing about the file's line endings.
            } else if bytes[index] == 13 {
                if index + 1 < bytes.count && bytes[index + 1] == 10 {
                    crlf += 1
                    index += 1
                } else if index + 1 < bytes.count {
                    cr += 1
                }
            } else if bytes[index] == 10 {
                lf += 1
            }
            index += 1
        }
        let kinds = [crlf, lf, cr].filter { $0 > 0 }.count
        if kinds == 0 { return .none }
        if kinds > 1 {
            let total = crlf + lf + cr
            // A few LFs inside quoted fields of a CRLF file are normal: call it CRLF when it dominates.
            if crlf * 10 >= total * 9 { return .crlf }
            if lf * 10 >= total * 9 { return .lf }
            return .mixed
        }
        return crlf > 0 ? .crlf : (lf > 0 ? .lf : .cr)
    }

    /// Excel's `sep=X` first line (X one character, then CR LF or LF): the delimiter and the line's
    /// length in bytes, line ending included.
    static func separatorLine(_ bytes: [UInt8]) -> (delimiter: UInt8, length: Int)? {
        guard bytes.count >= 6, bytes.starts(with: Array("sep=".utf8)) else { return nil }
        let delimiter = bytes[4]
        guard delimiter != 0x0A, delimiter != 0x0D, delimiter < 0x80 else { return nil }
        if bytes[5] == 0x0A { return (delimiter, 6) }
        if bytes[5] == 0x0D { return (delimiter, bytes.count > 6 && bytes[6] == 0x0A ? 7 : 6) }
        return nil
    }
}
