/// Reads the flat JSON objects custmig writes for images (`{"path":"value",…}`, strings only) an
/// order of magnitude faster than `JSONSerialization`; anything else is refused (nil).
enum FlatJSON {
    static func parse(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes -> [String: String]? in
            var index = 0
            let count = bytes.count
            func skipSpace() {
                while index < count,
                    bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
                { index += 1 }
            }
            func string() -> String? {
                guard index < count, bytes[index] == 0x22 else { return nil }
                index += 1
                let start = index
                var plain = true
                while index < count, bytes[index] != 0x22 {
                    if bytes[index] == 0x5C { plain = false; index += 2 } else { index += 1 }
                }
                guard index < count else { return nil }
                let end = index
                index += 1
                if plain { return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) }
                var out: [UInt8] = []
                var position = start
                var pendingHigh: UInt32?
                while position < end {
                    let byte = bytes[position]
                    guard byte == 0x5C, position + 1 < end else {
                        out.append(byte)
                        position += 1
                        continue
                    }
                    let escape = bytes[position + 1]
                    position += 2
                    switch escape {
                    case 0x6E: out.append(0x0A)
                    case 0x72: out.append(0x0D)
                    case 0x74: out.append(0x09)
                    case 0x62: out.append(0x08)
                    case 0x66: out.append(0x0C)
                    case 0x75:
                        guard position + 4 <= end,
                            let code = UInt32(
                                String(
                                    decoding: UnsafeBufferPointer(rebasing: bytes[position..<position + 4]),
                                    as: UTF8.self), radix: 16)
                        else { return nil }
                        position += 4
                        var scalarValue = code
                        if (0xD800..<0xDC00).contains(code) {
                            pendingHigh = code
                            continue
                        }
                        if (0xDC00..<0xE000).contains(code), let high = pendingHigh {
                            scalarValue = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
                        }
                        pendingHigh = nil
                        guard let scalar = Unicode.Scalar(scalarValue) else { return nil }
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: out.append(escape)
                    }
                }
                return String(decoding: out, as: UTF8.self)
            }
            skipSpace()
            guard index < count, bytes[index] == 0x7B else { return nil }
            index += 1
            var result: [String: String] = [:]
            skipSpace()
            if index < count, bytes[index] == 0x7D { return result }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard index < count, bytes[index] == 0x3A else { return nil }
                index += 1
                skipSpace()
                guard let value = string() else { return nil }
                result[key] = value
                skipSpace()
                guard index < count else { return nil }
                if bytes[index] == 0x2C { index += 1; continue }
                if bytes[index] == 0x7D { return result }
                return nil
            }
        }
    }
}
