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
        let haystack = Array(utf8)
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty, haystack.count >= pattern.count else { return pattern.isEmpty }
        for start in 0...(haystack.count - pattern.count) where haystack[start] == pattern[0] {
            if Array(haystack[start..<(start + pattern.count)]) == pattern { return true }
        }
        return false
    }

    /// True when the string has no run of two spaces, no tab or line break and nothing beyond ASCII
    /// that could be a space (a non-breaking space), so collapsing changes nothing.
    var hasNoSpaceRuns: Bool {
        var previousSpace = false
        for byte in utf8 {
            if byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0xC2 || byte == 0xE2 || byte == 0xE3 { return false }
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
