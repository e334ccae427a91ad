/// Reads the flat JSON objects custmig writes for images (`{"path":"value",…}`, strings only) an
/// order of magnitude faster than `JSONSerialization`; anything else is refused (nil or false).
enum FlatJSON {
    static func parse(_ text: String) -> [String: String]? {
        var result: [String: String] = [:]
        let parsed = forEach(text) { key, value in
            result[String(decoding: key, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        return parsed ? result : nil
    }

    /// Calls `field` with each key and value of the object, unescaped, as UTF-8 bytes valid only during
    /// the call (no `String` or dictionary is built: the reconciliation fingerprints a million images).
    /// False when the text is not a flat object of strings; `field` may have been called for a prefix.
    @discardableResult
    static func forEach(
        _ text: String, _ field: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void
    ) -> Bool {
        var text = text
        return text.withUTF8 { bytes -> Bool in
            var index = 0
            let count = bytes.count
            var key: [UInt8] = []
            var value: [UInt8] = []
            func skipSpace() {
                while index < count,
                    bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
                { index += 1 }
            }
            /// The next string's bytes, unescaped, into `out`.
            func string(into out: inout [UInt8]) -> Bool {
                out.removeAll(keepingCapacity: true)
                guard index < count, bytes[index] == 0x22 else { return false }
                index += 1
                let start = index
                var plain = true
                while index < count, bytes[index] != 0x22 {
                    if bytes[index] == 0x5C { plain = false; index += 2 } else { index += 1 }
                }
                guard index < count else { return false }
                let end = index
                index += 1
                if plain {
                    out += UnsafeBufferPointer(rebasing: bytes[start..<end])
                    return true
                }
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
                        else { return false }
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
                        guard let scalar = Unicode.Scalar(scalarValue) else { return false }
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: out.append(escape)
                    }
                }
                return true
            }
            skipSpace()
            guard index < count, bytes[index] == 0x7B else { return false }
            index += 1
            skipSpace()
            if index < count, bytes[index] == 0x7D { return true }
            while true {
                skipSpace()
                guard string(into: &key) else { return false }
                skipSpace()
                guard index < count, bytes[index] == 0x3A else { return false }
                index += 1
                skipSpace()
                guard string(into: &value) else { return false }
                key.withUnsafeBufferPointer { key in value.withUnsafeBufferPointer { value in field(key, value) } }
                skipSpace()
                guard index < count else { return false }
                if bytes[index] == 0x2C { index += 1; continue }
                if bytes[index] == 0x7D { return true }
                return false
            }
        }
    }
}
