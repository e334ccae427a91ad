/// What the profiler learns from one value, computed in one pass over its UTF-8 bytes.
struct ValueFacts: Sendable {
    var hash: UInt64 = 0
    var characters: Int32 = 0
    var types: UInt16 = 0
    var dateLayouts: UInt16 = 0
    var number: Double = 0
    var isNumber = false
    var decimalComma = false
    var blank = false
    var leadingSpace = false
    var trailingSpace = false
    var nonASCII = false
    var control = false
    var pattern: ShapePattern = ShapePattern()
}

/// A value's shape: `9` for a digit, `A`/`a` for a letter, other characters as they are, capped.
struct ShapePattern: Sendable {
    static let maxLength = 24
    var bytes: (UInt64, UInt64, UInt64) = (0, 0, 0)
    var length: UInt8 = 0
    var truncated = false

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        guard length < 24 else {
            truncated = true
            return
        }
        let shift = UInt64(length & 7) &* 8
        if length < 8 {
            bytes.0 |= UInt64(byte) << shift
        } else if length < 16 {
            bytes.1 |= UInt64(byte) << shift
        } else {
            bytes.2 |= UInt64(byte) << shift
        }
        length += 1
    }

    /// A fingerprint of the pattern (its bytes, length and truncation), for counting.
    var hash: UInt64 {
        var h = bytes.0 &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 29) ^ bytes.1) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 31) ^ bytes.2) &* 0x94D0_49BB_1331_11EB
        h ^= UInt64(length) << 56 | (truncated ? 1 << 55 : 0)
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return (h ^ (h >> 32)) | 1
    }

    var text: String {
        var result = [UInt8]()
        result.reserveCapacity(Int(length))
        for index in 0..<Int(length) {
            let word = index < 8 ? bytes.0 : (index < 16 ? bytes.1 : bytes.2)
            result.append(UInt8(truncatingIfNeeded: word >> (UInt64(index % 8) * 8)))
        }
        return String(decoding: result, as: UTF8.self) + (truncated ? "…" : "")
    }
}
