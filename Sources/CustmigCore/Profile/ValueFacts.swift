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
    var pattern: ShapePattern = ShapePattern()
}

/// A value's shape: `9` for a digit, `A`/`a` for a letter, other characters as they are, capped.
struct ShapePattern: Sendable {
    static let maxLength = 24
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    var bytes: (UInt64, UInt64, UInt64) = (0, 0, 0)
    var length: UInt8 = 0
    var truncated = false

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if Int(length) >= ShapePattern.maxLength {
            if !truncated {
                truncated = true
                hash = (hash ^ 0xFF) &* 0x100_0000_01B3
            }
            return
        }
        let shift = UInt64(length % 8) * 8
        switch length / 8 {
        case 0: bytes.0 |= UInt64(byte) << shift
        case 1: bytes.1 |= UInt64(byte) << shift
        default: bytes.2 |= UInt64(byte) << shift
        }
        length += 1
        hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
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
