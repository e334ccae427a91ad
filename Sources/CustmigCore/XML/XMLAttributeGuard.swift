import Foundation

/// Stops a document before libxml2 sees a start tag with more than ``maximumAttributes`` attributes.
///
/// libxml2 (2.9) checks each attribute of a tag against every one before it: 200,000 attributes on one
/// element took 17-90 s, a million would take hours. No customer segment has more than a few dozen
/// attributes, so the guard counts them in the bytes before each chunk is handed to the parser: text
/// is skipped with `memchr` to the next `<`, and inside a start tag every `=` outside quotes is one
/// attribute. Comments, CDATA and declarations are not start tags (`<!`, `<?`); a `<` inside one can
/// only make the count larger, never hide a real tag.
struct XMLAttributeGuard {
    static let maximumAttributes = 10_000

    private enum State {
        case text
        /// Inside a start or end tag; `quote` is the open quote character, if any.
        case tag(quote: UInt8?)
        /// Inside `<!…>` or `<?…>`: skipped to the next `>`.
        case markup
    }

    private var state = State.text
    private var attributes = 0
    private var tagStart: Int64 = 0
    private var tagName: [UInt8] = []
    private var readingName = false
    /// Bytes scanned before the current chunk.
    private var offset: Int64 = 0

    /// An element with too many attributes: its name and the byte offset of its `<`.
    struct Excess: Sendable {
        var element: String
        var byteOffset: Int64
    }

    mutating func scan(_ chunk: UnsafeRawBufferPointer) -> Excess? {
        defer { offset += Int64(chunk.count) }
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var index = 0
        let count = chunk.count
        while index < count {
            switch state {
            case .text:
                guard let found = memchr(base + index, Int32(UInt8(ascii: "<")), count - index) else { return nil }
                index = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                state = .tag(quote: nil)
                attributes = 0
                tagStart = offset + Int64(index - 1)
                tagName.removeAll(keepingCapacity: true)
                readingName = true
                if index < count, base[index] == UInt8(ascii: "!") || base[index] == UInt8(ascii: "?") {
                    state = .markup
                }
            case .markup:
                guard let found = memchr(base + index, Int32(UInt8(ascii: ">")), count - index) else { return nil }
                index = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                state = .text
            case .tag(let quote):
                let byte = base[index]
                index += 1
                if let quote {
                    if byte == quote { state = .tag(quote: nil) }
                    continue
                }
                switch byte {
                case UInt8(ascii: ">"):
                    state = .text
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    state = .tag(quote: byte)
                case UInt8(ascii: "="):
                    attributes += 1
                    if attributes > Self.maximumAttributes {
                        return Excess(element: String(decoding: tagName, as: UTF8.self), byteOffset: tagStart)
                    }
                default:
                    if readingName {
                        if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: "/")
                            || tagName.count >= 80
                        {
                            readingName = false
                        } else if byte != 0 {
                            tagName.append(byte)
                        }
                    }
                }
            }
        }
        return nil
    }
}
