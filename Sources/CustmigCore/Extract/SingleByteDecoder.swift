/// Decodes single-byte legacy encodings (windows-1252, ISO-8859-1, ISO-8859-15) to Swift strings.
struct SingleByteDecoder: Sendable {
    /// Unicode scalar value for each byte.
    let table: [UInt32]

    init(_ encoding: TextEncoding) {
        var table = (0..<256).map { UInt32($0) }
        switch encoding {
        case .windows1252:
            let high: [UInt32] = [
                0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
                0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
            ]
            for (offset, scalar) in high.enumerated() { table[0x80 + offset] = scalar }
        case .iso8859_15:
            let changes: [(Int, UInt32)] = [
                (0xA4, 0x20AC), (0xA6, 0x0160), (0xA8, 0x0161), (0xB4, 0x017D), (0xB8, 0x017E), (0xBC, 0x0152),
                (0xBD, 0x0153), (0xBE, 0x0178),
            ]
            for (byte, scalar) in changes { table[byte] = scalar }
        default:
            break
        }
        self.table = table
    }

    func decode(_ base: UnsafePointer<UInt8>, _ count: Int) -> String {
        if UTF8Validator.isASCII(base, count) {
            return String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: count * 3) { out in
            var written = 0
            for index in 0..<count {
                let scalar = table[Int(base[index])]
                if scalar < 0x80 {
                    out[written] = UInt8(scalar)
                    written += 1
                } else if scalar < 0x800 {
                    out[written] = UInt8(0xC0 | (scalar >> 6))
                    out[written + 1] = UInt8(0x80 | (scalar & 0x3F))
                    written += 2
                } else {
                    out[written] = UInt8(0xE0 | (scalar >> 12))
                    out[written + 1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
                    out[written + 2] = UInt8(0x80 | (scalar & 0x3F))
                    written += 3
                }
            }
            return written
        }
    }

    /// Transcodes to UTF-8 bytes, appending to `out` (for statistics that work on UTF-8).
    func appendUTF8(_ base: UnsafePointer<UInt8>, _ count: Int, to out: inout [UInt8]) {
        for index in 0..<count {
            let scalar = table[Int(base[index])]
            if scalar < 0x80 {
                out.append(UInt8(scalar))
            } else if scalar < 0x800 {
                out.append(UInt8(0xC0 | (scalar >> 6)))
                out.append(UInt8(0x80 | (scalar & 0x3F)))
            } else {
                out.append(UInt8(0xE0 | (scalar >> 12)))
                out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (scalar & 0x3F)))
            }
        }
    }
}
