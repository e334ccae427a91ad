import Foundation

/// Stops a document before libxml2 sees a start tag with more than ``maximumAttributes`` attributes.
///
/// libxml2 (2.9) checks each attribute of a tag against every one before it: 200,000 attributes on one
/// element took 17-90 s, a million would take hours. No customer segment has more than a few dozen
/// attributes, so the guard counts them in the bytes before each chunk is handed to the parser: text
/// is skipped with `memchr` to the next `<`, and inside a start tag every `=` outside quotes is one
/// attribute. Comments, CDATA and declarations are not start tags (`<!`, `<?`); a `<` inside one can
/// only make the count larger, never hide a real tag. A chunk with fewer `=` than the limit is only
/// counted (vectorised) and its last tag followed; the byte-by-byte loop runs on the others.
struct XMLAttributeGuard {
    static let maximumAttributes = 10_000

    private var inTag = false
    private var inMarkup = false
    /// The open quote inside a tag, or 0.
    private var quote: UInt8 = 0
    private var attributes = 0
    private var tagStart: Int64 = 0
    /// The open tag's name, kept when the chunk ends inside the tag (its `<` may be chunks behind the error).
    private var tagName: String?
    /// Bytes scanned before the current chunk.
    private var offset: Int64 = 0

    /// An element with too many attributes: its name (when its start is in the chunk at hand) and the
    /// byte offset of its `<`.
    struct Excess: Sendable {
        var element: String?
        var byteOffset: Int64
    }

    mutating func scan(_ chunk: UnsafeRawBufferPointer) -> Excess? {
        defer { offset += Int64(chunk.count) }
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let count = chunk.count
        defer { if inTag && tagName == nil { tagName = name(base: base, count: count) } }
        // A tag or markup open at the end of the last chunk: followed to its end first.
        var index = 0
        if inTag || inMarkup {
            let (stop, excess) = follow(base, from: 0, to: count, untilTagEnds: true)
            if excess != nil { return excess }
            index = stop
        }
        guard index < count else { return nil }
        // Fewer `=` in the rest of the chunk than the limit: no tag that starts and ends in it can exceed
        // it, so only a tag still open at its end needs following (a `<` cannot occur inside a quoted
        // value, so the last one starts it). Counting bytes is vectorised; most chunks end here.
        var equals = 0
        for byte in UnsafeBufferPointer(start: base + index, count: count - index) where byte == 0x3D { equals += 1 }
        if equals <= Self.maximumAttributes {
            var last = count - 1
            while last >= index && base[last] != 0x3C { last -= 1 }
            guard last >= index else { return nil }
            index = last
        }
        return follow(base, from: index, to: count, untilTagEnds: false).excess
    }

    /// Follows tags and text byte by byte from `from` (in the state the last call left), returning where it
    /// stopped: at `to`, or just past the end of the open tag when `untilTagEnds`.
    private mutating func follow(
        _ base: UnsafePointer<UInt8>, from: Int, to count: Int, untilTagEnds: Bool
    ) -> (stop: Int, excess: Excess?) {
        var index = from
        while index < count {
            if inMarkup {
                guard let found = memchr(base + index, 0x3E, count - index) else { return (count, nil) }
                index = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                inMarkup = false
                if untilTagEnds { return (index, nil) }
            } else if !inTag {
                if untilTagEnds { return (index, nil) }
                guard let found = memchr(base + index, 0x3C, count - index) else { return (count, nil) }
                index = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                tagStart = offset + Int64(index - 1)
                if index < count, base[index] == 0x21 || base[index] == 0x3F {
                    inMarkup = true
                } else {
                    inTag = true
                    attributes = 0
                    quote = 0
                    tagName = nil
                }
            } else {
                var quote = self.quote
                var attributes = self.attributes
                while index < count {
                    let byte = base[index]
                    index += 1
                    if quote != 0 {
                        if byte == quote { quote = 0 }
                    } else if byte == 0x3E {
                        inTag = false
                        break
                    } else if byte == 0x3D {
                        attributes += 1
                    } else if byte == 0x22 || byte == 0x27 {
                        quote = byte
                    }
                }
                self.quote = quote
                self.attributes = attributes
                if attributes > Self.maximumAttributes {
                    return (index, Excess(element: tagName ?? name(base: base, count: count), byteOffset: tagStart))
                }
                if untilTagEnds && !inTag { return (index, nil) }
            }
        }
        return (count, nil)
    }

    /// The current tag's name when its `<` is in this chunk.
    private func name(base: UnsafePointer<UInt8>, count: Int) -> String? {
        let start = Int(tagStart - offset) + 1
        guard start > 0, start < count else { return nil }
        var end = start
        while end < count, end - start < 80, ![0x20, 0x09, 0x0A, 0x0D, 0x2F, 0x3E].contains(base[end]) { end += 1 }
        return String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
    }
}
