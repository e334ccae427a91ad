extension String {
    /// The string without leading and trailing spaces, tabs and line breaks; native and allocation-free
    /// when there is nothing to trim (Foundation's `trimmingCharacters` bridges through NSString, which
    /// dominated the map stage's time).
    var trimmedWhitespace: String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return self }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        if !isSpace(first) && !isSpace(last) {
            // A non-breaking or other Unicode space at either end (spreadsheet exports) is trimmed too.
            guard first >= 0x80 || last >= 0x80 else { return self }
            guard self.first?.isWhitespace == true || self.last?.isWhitespace == true else { return self }
            return String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
        }
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end && isSpace(utf8[start]) { start = utf8.index(after: start) }
        while end > start && isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        let trimmed = String(self[start..<end])
        return trimmed.utf8.first.map { $0 >= 0x80 } == true || trimmed.utf8.last.map { $0 >= 0x80 } == true
            ? trimmed.trimmedWhitespace : trimmed
    }
}

extension String {
    /// Whether the UTF-8 bytes of `needle` occur in the string: a native search (Foundation's
    /// `contains` goes through NSString and showed in the map stage's profile).
    func containsBytes(_ needle: String) -> Bool {
        guard !needle.isEmpty else { return true }
        return firstByteOffset(of: needle, from: 0) != nil
    }

    /// The string with every occurrence of `needle`'s bytes, left to right and not overlapping, replaced
    /// by `replacement`'s: what Foundation's `replacingOccurrences(of:with:options: .literal)` makes of
    /// valid UTF-8 (a match of one valid UTF-8 text in another starts and ends on character scalars),
    /// without bridging through NSString for each finding the map stores.
    func replacingBytes(of needle: String, with replacement: String) -> String {
        guard !needle.isEmpty, var offset = firstByteOffset(of: needle, from: 0) else { return self }
        let bytes = Array(utf8)
        let length = needle.utf8.count
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var copied = 0
        while true {
            result.append(contentsOf: bytes[copied..<offset])
            result.append(contentsOf: replacement.utf8)
            copied = offset + length
            guard let next = firstByteOffset(of: needle, from: copied) else { break }
            offset = next
        }
        result.append(contentsOf: bytes[copied...])
        return String(decoding: result, as: UTF8.self)
    }

    /// Where `needle`'s UTF-8 bytes first occur at or after byte `start`, without copying either string.
    private func firstByteOffset(of needle: String, from start: Int) -> Int? {
        var haystack = self
        var pattern = needle
        return haystack.withUTF8 { text in
            pattern.withUTF8 { pattern -> Int? in
                guard let first = pattern.first, text.count - start >= pattern.count else { return nil }
                var index = start
                let last = text.count - pattern.count
                while index <= last {
                    if text[index] == first
                        && (1..<pattern.count).allSatisfy({ text[index + $0] == pattern[$0] })
                    {
                        return index
                    }
                    index += 1
                }
                return nil
            }
        }
    }

    /// True when the string has no run of two spaces, no tab, line break, vertical tab or form feed and
    /// nothing beyond ASCII that could be a space (a non-breaking space), so collapsing changes nothing.
    var hasNoSpaceRuns: Bool {
        var previousSpace = false
        for byte in utf8 {
            if (byte >= 0x09 && byte <= 0x0D) || byte == 0xC2 || byte == 0xE2 || byte == 0xE3 { return false }
            let isSpace = byte == 0x20
            if isSpace && previousSpace { return false }
            previousSpace = isSpace
        }
        return true
    }
}

extension String {
    /// Piece number `part` (from 0) of the string split at every `separator`, empty pieces kept; empty
    /// when there are fewer pieces. A one-byte separator is found byte by byte (the generic split
    /// searches substrings and showed in the map stage's profile).
    func piece(_ part: Int, separatedBy separator: String) -> String {
        guard separator.utf8.count == 1, let mark = separator.utf8.first, mark < 0x80 else {
            let pieces = split(separator: separator, omittingEmptySubsequences: false)
            return part < pieces.count ? String(pieces[part]) : ""
        }
        var number = 0
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == mark {
                if number == part { return String(self[start..<index]) }
                number += 1
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        return number == part ? String(self[start..<utf8.endIndex]) : ""
    }
}
