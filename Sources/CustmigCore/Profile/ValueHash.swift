/// A fast 64-bit hash of a byte string, well mixed for HyperLogLog and hash sets.
enum ValueHash {
    /// The hash of a string's UTF-8 bytes (keys fingerprinted by the map's ledger writer and by blocking).
    static func hash(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { hash($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    @inline(__always)
    static func hash(_ base: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(count)
        var index = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h = (h << 31) | (h >> 33)
            index += 8
        }
        if index < count {
            h = (h ^ tail(raw, from: index, count: count)) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// The last `count - index` (1 to 7) bytes as a little-endian word, in at most three loads instead of
    /// a load per byte: a byte loop's exit, at a different length for each value, was mispredicted so
    /// often that it took a fifth of a profile's per-value work. Reads no byte outside the value.
    @inline(__always)
    static func tail(_ raw: UnsafeRawPointer, from index: Int, count: Int) -> UInt64 {
        let length = count - index
        if count >= 8 {
            // The value's last 8 bytes, of which the tail is the top `length`.
            let word = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            return word >> (UInt64(8 - length) * 8)
        }
        if length >= 4 {
            // Two 4-byte loads that overlap; the overlapping bytes are the same in both.
            let low = UInt64(raw.loadUnaligned(fromByteOffset: index, as: UInt32.self))
            let high = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return low | high << (UInt64(length - 4) * 8)
        }
        let first = UInt64(raw.load(fromByteOffset: index, as: UInt8.self))
        let middle = UInt64(raw.load(fromByteOffset: index + length / 2, as: UInt8.self))
        let last = UInt64(raw.load(fromByteOffset: count - 1, as: UInt8.self))
        return first | middle << (UInt64(length / 2) * 8) | last << (UInt64(length - 1) * 8)
    }
}
