import CLibXML2

/// Receives the events of a streaming XML parse; names are interned ids (see ``XMLNameTable``).
protocol XMLEventHandler: AnyObject {
    func startElement(_ name: Int, attributes: XMLAttributes, parser: XMLPushParser)
    func characters(_ bytes: UnsafeBufferPointer<UInt8>)
    func endElement(_ name: Int, parser: XMLPushParser)
}

/// The attributes of one start tag, read lazily from libxml2's array (valid during the callback only).
struct XMLAttributes {
    let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int
    let names: XMLNameTable

    var isEmpty: Bool { count == 0 }

    func name(_ index: Int) -> Int {
        guard let base, let pointer = base[index * 5] else { return 0 }
        return names.id(pointer)
    }

    /// The value's UTF-8 bytes; `&amp;`, which libxml2 hands back as `&#38;` without entity
    /// substitution, is restored in `value(_:)` only.
    func withValueBytes<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        guard let base, let start = base[index * 5 + 3], let end = base[index * 5 + 4] else {
            return body(UnsafeBufferPointer(start: nil, count: 0))
        }
        return body(UnsafeBufferPointer(start: start, count: end - start))
    }

    func value(_ index: Int) -> String {
        // Only a value with an "&" can hold "&#38;": checked on the bytes (Foundation's `contains` cost
        // ~2% of reading an IDoc file, one SEGMENT="1" attribute per segment).
        let hasAmpersand = withValueBytes(index) { $0.contains(UInt8(ascii: "&")) }
        let value = withValueBytes(index) { String(decoding: $0, as: UTF8.self) }
        return hasAmpersand && value.containsBytes("&#38;") ? value.replacingAmpersandReferences() : value
    }
}

extension String {
    /// Replaces `&#38;` with `&`.
    func replacingAmpersandReferences() -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: "&#38;") {
            result += rest[..<range.lowerBound]
            result += "&"
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

/// Interns element and attribute names: libxml2 hands out dictionary-owned name pointers, so a
/// name is converted to a `String` once, not once per element.
final class XMLNameTable {
    // `@exclusivity(unchecked)`: owned by one parser, used on its thread only (see ``XMLPushParser``).
    @exclusivity(unchecked) private var byPointer = FingerprintTable(capacity: 256)
    @exclusivity(unchecked) private var byName: [String: Int] = [:]
    @exclusivity(unchecked) private(set) var names: [String] = []

    @inline(__always)
    func id(_ pointer: UnsafePointer<xmlChar>) -> Int {
        let key = UInt64(UInt(bitPattern: pointer))
        if let id = byPointer.value(for: key) { return Int(id) }
        let id = id(for: String(cString: pointer))
        byPointer.set(Int32(id), for: key)
        return id
    }

    func id(for name: String) -> Int {
        if let id = byName[name] { return id }
        names.append(name)
        byName[name] = names.count - 1
        return names.count - 1
    }

    func name(_ id: Int) -> String { names[id] }
}
