/// Validates UTF-8 on raw bytes, fast on ASCII (eight bytes at a time).
public enum UTF8Validator {
    public struct Scan: Sendable {
        public var multiByteCharacters = 0
        public var invalidSequences = 0
        /// Offset of the first invalid sequence, if any.
        public var firstInvalidOffset: Int?
    }

    /// True when every byte in `bytes` is ASCII.
    @inline(__always)
    public static func isASCII(_ base: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var index = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if base[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// Counts valid multi-byte characters and invalid sequences (overlongs, surrogates, > U+10FFFF).
    public static func scan(_ bytes: UnsafeBufferPointer<UInt8>, allowTruncatedEnd: Bool = false) -> Scan {
        var result = Scan()
        guard let base = bytes.baseAddress else { return result }
        let count = bytes.count
        var index = 0
        while index < count {
            let lead = base[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length = sequenceLength(base + index, count - index)
            if length > 0 {
                result.multiByteCharacters += 1
                index += length
            } else if length == 0 && allowTruncatedEnd {
                break
            } else {
                if result.firstInvalidOffset == nil { result.firstInvalidOffset = index }
                result.invalidSequences += 1
                index += 1
            }
        }
        return result
    }

    /// Offset of the first invalid sequence in the bytes, or nil when they are valid UTF-8.
    public static func firstInvalid(_ base: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        if isASCII(base, count) { return nil }
        var index = 0
        let raw = UnsafeRawPointer(base)
        while index < count {
            // ASCII runs between the accented letters go eight bytes at a time here too.
            if index + 8 <= count
                && raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                index += 8
                continue
            }
            if base[index] < 0x80 {
                index += 1
                continue
            }
            let length = sequenceLength(base + index, count - index)
            if length <= 0 { return index }
            index += length
        }
        return nil
    }

    /// Length of the valid sequence at `pointer`; 0 when truncated by the end, -1 when invalid.
    @inline(__always)
    static func sequenceLength(_ pointer: UnsafePointer<UInt8>, _ available: Int) -> Int {
        let lead = pointer[0]
        let length: Int
        var minSecond: UInt8 = 0x80
        var maxSecond: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; minSecond = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; maxSecond = 0x9F
        case 0xF0: length = 4; minSecond = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; maxSecond = 0x8F
        default: return -1
        }
        if available < 2 { return 0 }
        guard pointer[1] >= minSecond && pointer[1] <= maxSecond else { return -1 }
        var offset = 2
        while offset < length {
            if offset >= available { return 0 }
            guard pointer[offset] & 0xC0 == 0x80 else { return -1 }
            offset += 1
        }
        return length
    }
}
