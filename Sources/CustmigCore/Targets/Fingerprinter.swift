/// 128 bits (hex) over every `path = value` of a customer, independent of their order: two 64-bit
/// lanes, each the wrapping sum of one mixed hash per field, where a field's hash combines the
/// hash of its row prefix (`address[legal-1].`, empty on the customer row), of its column name and
/// of its value (FNV-1a). Order independence and per-part hashes let the target fingerprint rows
/// straight from SQLite without building an image. It detects changes; it is not a defence against
/// forged rows.
struct Fingerprinter {
    private var first: UInt64 = 0
    private var second: UInt64 = 0

    struct PartHash: Hashable {
        var a: UInt64
        var b: UInt64
    }

    static func hash<Bytes: Sequence>(_ bytes: Bytes) -> PartHash where Bytes.Element == UInt8 {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x0000_0001_0000_01b3 &+ 0x9e37_79b9
        }
        return PartHash(a: a, b: b)
    }

    static func hash(_ text: String) -> PartHash { hash(text.utf8) }

    mutating func add(prefix: PartHash, column: PartHash, value: UnsafeBufferPointer<UInt8>) {
        let valueHash = Self.hash(value)
        first = first &+ Self.mix(Self.mix(prefix.a &+ 0x1234_5678) ^ column.a ^ Self.mix(valueHash.a ^ 0x9e37_79b9))
        second = second &+ Self.mix(Self.mix(prefix.b ^ 0x5555_5555_5555_5555) &+ column.b &+ Self.mix(valueHash.b))
    }

    /// Adds `path = value`, splitting the path into its row prefix and column as the target does.
    mutating func add(path: String, value: UnsafeBufferPointer<UInt8>) {
        var path = path
        path.withUTF8 { add(path: $0, value: value) }
    }

    mutating func add(path bytes: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        var close = bytes.count - 1
        while close >= 0, bytes[close] != UInt8(ascii: "]") { close -= 1 }
        guard close >= 0 else {
            add(prefix: Self.empty, column: Self.hash(bytes), value: value)
            return
        }
        let split = min(close + 2, bytes.count)
        add(
            prefix: Self.hash(UnsafeBufferPointer(rebasing: bytes[..<split])),
            column: Self.hash(UnsafeBufferPointer(rebasing: bytes[split...])), value: value)
    }

    static let empty = hash("")

    /// Adds another fingerprint's fields (the same customer's rows read in another piece).
    mutating func merge(_ other: Fingerprinter) {
        first = first &+ other.first
        second = second &+ other.second
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
