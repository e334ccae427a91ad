/// 128 bits (hex) over every `path = value` of a customer, independent of their order: two 64-bit
/// lanes, each the wrapping sum of a mixed FNV-1a hash per field. Order independence lets the target
/// fingerprint rows straight from SQLite without building and sorting an image. It detects changes;
/// it is not a defence against forged rows.
struct Fingerprinter {
    private var first: UInt64 = 0
    private var second: UInt64 = 0

    mutating func add(path: String, value: UnsafeBufferPointer<UInt8>) {
        add(prefix: "", path: path, value: value)
    }

    /// Adds the field whose path is `prefix + path` without building that string.
    mutating func add(prefix: String, path: String, value: UnsafeBufferPointer<UInt8>) {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in prefix.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x0000_0001_0000_01b3 &+ 0x9e37_79b9
        }
        for byte in path.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x0000_0001_0000_01b3 &+ 0x9e37_79b9
        }
        a = (a ^ 0xff) &* 0x0000_0100_0000_01b3
        b = (b ^ 0xff) &* 0x0000_0001_0000_01b3
        for byte in value {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x0000_0001_0000_01b3 &+ 0x9e37_79b9
        }
        first = first &+ Self.mix(a)
        second = second &+ Self.mix(b ^ 0x5555_5555_5555_5555)
    }

    func finished(count: Int) -> String {
        Self.hex(first) + Self.hex(second &+ UInt64(count))
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
