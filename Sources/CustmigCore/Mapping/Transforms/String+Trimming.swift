extension String {
    /// The string without leading and trailing spaces, tabs and line breaks; native and allocation-free
    /// when there is nothing to trim (Foundation's `trimmingCharacters` bridges through NSString, which
    /// dominated the map stage's time).
    var trimmedWhitespace: String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return self }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        if !isSpace(first) && !isSpace(last) { return self }
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end && isSpace(utf8[start]) { start = utf8.index(after: start) }
        while end > start && isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        return String(self[start..<end])
    }
}
