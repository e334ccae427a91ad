/// Opens an extract with the right reader, detecting the format from its content.
public enum ExtractOpener {
    /// Guesses CSV or XML from the first bytes: XML starts (after a BOM and blanks) with `<`.
    public static func detectFormat(path: String) throws -> ExtractFormat {
        let source = try FileByteSource(path: path)
        let head = try source.peek(count: 4096)
        var bytes = head[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            // UTF-16: look at each code unit's low byte.
            let lowFirst = head[0] == 0xFF
            var index = 2
            while index + 1 < head.count {
                let low = lowFirst ? head[index] : head[index + 1]
                if !isBlank(low) { return low == UInt8(ascii: "<") ? .xml : .csv }
                index += 2
            }
            return .csv
        }
        let first = bytes.first { !isBlank($0) }
        return first == UInt8(ascii: "<") ? .xml : .csv
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    public static func open(path: String, options: ExtractOptions = ExtractOptions()) throws -> ExtractReader {
        let format = try options.format ?? detectFormat(path: path)
        switch format {
        case .csv: return try CSVRecordReader(path: path, options: options)
        case .xml: return try XMLRecordReader(path: path, options: options)
        }
    }
}
