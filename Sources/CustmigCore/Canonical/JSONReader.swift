import Foundation

/// A forward-only reader of one JSON text's bytes, for the documents custmig writes itself (objects,
/// arrays, strings, null): what a typed reader needs to walk a stored record without `JSONDecoder`'s
/// intermediate tree and coding-path bookkeeping. Every method returns nil or false at the first byte it
/// does not expect, and a caller then falls back to `JSONDecoder` (numbers and booleans are only
/// skipped, never read).
struct JSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Whether only white space is left.
    var atEnd: Bool {
        mutating get {
            skipSpace()
            return index == bytes.count
        }
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A string value, unescaped.
    mutating func string() -> String? {
        guard let raw = rawString() else { return nil }
        return raw.escaped ? Self.unescaped(raw.bytes) : String(decoding: raw.bytes, as: UTF8.self)
    }

    /// A string literal's bytes between its quotes, and whether they hold an escape.
    private mutating func rawString() -> (bytes: UnsafeBufferPointer<UInt8>, escaped: Bool)? {
        skipSpace()
        guard index < bytes.count, bytes[index] == 0x22 else { return nil }
        index += 1
        let start = index
        var escaped = false
        while index < bytes.count, bytes[index] != 0x22 {
            if bytes[index] == 0x5C {
                escaped = true
                index += 2
            } else {
                index += 1
            }
        }
        guard index < bytes.count else { return nil }
        let end = index
        index += 1
        return (UnsafeBufferPointer(rebasing: bytes[start..<end]), escaped)
    }

    /// A string or null (`.some(nil)`); nil for anything else.
    mutating func optionalString() -> String?? {
        skipSpace()
        if index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        {
            index += 4
            return .some(nil)
        }
        return string().map { .some($0) }
    }

    /// Walks an object, calling `member` with each key once the reader stands on its value; `member`
    /// reads (or skips) the value and returns false to give up. Keys are handed over as their bytes (a
    /// record has two dozen members, and making and comparing a `String` for each was a tenth of reading
    /// a million records); a key with an escape is refused, so the caller falls back to `JSONDecoder`.
    mutating func object(_ member: (inout JSONReader, Key) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = rawString(), !key.escaped, take(UInt8(ascii: ":")), member(&self, Key(bytes: key.bytes))
            else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// An object member's name, as its bytes in the text; matched in a `switch` against string literals.
    struct Key {
        let bytes: UnsafeBufferPointer<UInt8>

        var string: String { String(decoding: bytes, as: UTF8.self) }

        static func ~= (pattern: StaticString, key: Key) -> Bool {
            pattern.utf8CodeUnitCount == key.bytes.count
                && (key.bytes.isEmpty || memcmp(pattern.utf8Start, key.bytes.baseAddress!, key.bytes.count) == 0)
        }
    }

    /// Walks an array, calling `element` with the reader on each element.
    mutating func array(_ element: (inout JSONReader) -> Bool) -> Bool {
        guard take(UInt8(ascii: "[")) else { return false }
        if take(UInt8(ascii: "]")) { return true }
        repeat {
            guard element(&self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]"))
    }

    /// An array of strings.
    mutating func strings() -> [String]? {
        var values: [String] = []
        let read = array { reader in
            guard let value = reader.string() else { return false }
            values.append(value)
            return true
        }
        return read ? values : nil
    }

    /// An object of strings.
    mutating func stringDictionary() -> [String: String]? {
        var values: [String: String] = [:]
        let read = object { reader, key in
            guard let value = reader.string() else { return false }
            values[key.string] = value
            return true
        }
        return read ? values : nil
    }

    /// Skips any value (a key the reader's caller does not know, as `JSONDecoder` ignores it).
    mutating func skipValue() -> Bool {
        skipSpace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case 0x22:
            // Skipped unread: only an escape JSON does not have makes it invalid.
            guard let raw = rawString() else { return false }
            return !raw.escaped || Self.unescaped(raw.bytes) != nil
        case UInt8(ascii: "{"): return object { reader, _ in reader.skipValue() }
        case UInt8(ascii: "["): return array { $0.skipValue() }
        default:
            // A number, true, false or null: its bytes up to the next delimiter.
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: break
                default:
                    index += 1
                    continue
                }
                break
            }
            return index > start
        }
    }

    /// The bytes of a string literal with escapes, unescaped (nil for an escape JSON does not have).
    private static func unescaped(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var position = 0
        var pendingHigh: UInt32?
        func append(scalar value: UInt32) -> Bool {
            guard let scalar = Unicode.Scalar(value) else { return false }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
            return true
        }
        while position < raw.count {
            let byte = raw[position]
            guard byte == 0x5C else {
                if pendingHigh != nil { return nil }
                out.append(byte)
                position += 1
                continue
            }
            guard position + 1 < raw.count else { return nil }
            let escape = raw[position + 1]
            position += 2
            if escape != UInt8(ascii: "u"), pendingHigh != nil { return nil }
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case 0x22, 0x5C, UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "u"):
                guard position + 4 <= raw.count,
                    let unit = UInt32(
                        String(decoding: UnsafeBufferPointer(rebasing: raw[position..<position + 4]), as: UTF8.self),
                        radix: 16)
                else { return nil }
                position += 4
                if let high = pendingHigh {
                    guard (0xDC00...0xDFFF).contains(unit) else { return nil }
                    pendingHigh = nil
                    guard append(scalar: 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)) else { return nil }
                } else if (0xD800...0xDBFF).contains(unit) {
                    pendingHigh = unit
                } else {
                    guard append(scalar: unit) else { return nil }
                }
            default: return nil
            }
        }
        guard pendingHigh == nil else { return nil }
        return String(decoding: out, as: UTF8.self)
    }
}
