/// String similarities for matching customers, each in 0…1 (1: identical).
public enum Similarity {
    /// Jaro-Winkler similarity: edit-tolerant, favours a common prefix (good for names with typos).
    public static func jaroWinkler(_ first: String, _ second: String, prefixScale: Double = 0.1) -> Double {
        // The matcher's hot path (tens of millions of pairs): folded names are mostly ASCII, compared on
        // their UTF-8 bytes in place; anything else on its scalars in a stack buffer. No heap allocation.
        var (x, y) = (first, second)
        if let ascii = x.withUTF8({ a in
            y.withUTF8 { b -> Double? in
                guard isASCII(a) && isASCII(b) else { return nil }
                return a.count <= 64 && b.count <= 64
                    ? jaroWinklerShort(a, b, prefixScale: prefixScale) : jaroWinkler(a, b, prefixScale: prefixScale)
            }
        }) {
            return ascii
        }
        let (countA, countB) = (first.unicodeScalars.count, second.unicodeScalars.count)
        return withUnsafeTemporaryAllocation(of: Unicode.Scalar.self, capacity: countA + countB) { buffer in
            var index = 0
            for scalar in first.unicodeScalars {
                buffer.initializeElement(at: index, to: scalar)
                index += 1
            }
            for scalar in second.unicodeScalars {
                buffer.initializeElement(at: index, to: scalar)
                index += 1
            }
            return jaroWinkler(
                UnsafeBufferPointer(rebasing: buffer[..<countA]), UnsafeBufferPointer(rebasing: buffer[countA...]),
                prefixScale: prefixScale)
        }
    }

    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte >= 0x80 { return false }
        return true
    }

    /// The same on byte strings of at most 64 bytes, bit-parallel: each byte of `b` sets its position
    /// in a 64-bit mask, so a byte of `a` finds its first unmatched partner in the window with one AND
    /// instead of a scan. Same matches, same order, same result as the scanning version.
    static func jaroWinklerShort(
        _ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, prefixScale: Double
    ) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        if a.isEmpty || b.isEmpty { return 0 }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 128) { positions -> Double in
            // ASCII only: 128 masks, cleared for the bytes `a` asks about.
            for byte in a { positions[Int(byte)] = 0 }
            for byte in b { positions[Int(byte)] = 0 }
            for (index, byte) in b.enumerated() { positions[Int(byte)] |= 1 << UInt64(index) }
            var matchedA: UInt64 = 0
            var matchedB: UInt64 = 0
            var matches = 0
            let all: UInt64 = b.count == 64 ? ~0 : (1 << UInt64(b.count)) - 1
            for i in 0..<a.count {
                let low = max(0, i - window)
                let high = min(b.count - 1, i + window)
                guard low <= high else { continue }
                let inWindow = (all >> UInt64(b.count - 1 - high)) & (~0 << UInt64(low))
                let free = positions[Int(a[i])] & inWindow & ~matchedB
                if free != 0 {
                    matchedB |= free & (0 &- free)
                    matchedA |= 1 << UInt64(i)
                    matches += 1
                }
            }
            guard matches > 0 else { return 0 }
            var transpositions = 0
            var (restA, restB) = (matchedA, matchedB)
            while restA != 0 {
                let (i, j) = (restA.trailingZeroBitCount, restB.trailingZeroBitCount)
                if a[i] != b[j] { transpositions += 1 }
                restA &= restA - 1
                restB &= restB - 1
            }
            return winkler(a, b, matches: matches, transpositions: transpositions, prefixScale: prefixScale)
        }
    }

    /// Jaro from the matches and transpositions both versions count, raised for a common prefix (at
    /// most four letters).
    @inline(__always)
    static func winkler<Element: Equatable>(
        _ a: UnsafeBufferPointer<Element>, _ b: UnsafeBufferPointer<Element>, matches: Int, transpositions: Int,
        prefixScale: Double
    ) -> Double {
        let m = Double(matches)
        let jaro = (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions / 2)) / m) / 3
        var prefix = 0
        while prefix < min(4, a.count, b.count) && a[prefix] == b[prefix] { prefix += 1 }
        return jaro + Double(prefix) * prefixScale * (1 - jaro)
    }

    static func jaroWinkler<Element: Equatable>(
        _ a: UnsafeBufferPointer<Element>, _ b: UnsafeBufferPointer<Element>, prefixScale: Double
    ) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        if a.isEmpty || b.isEmpty { return 0 }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: a.count + b.count) { flags -> Double in
            flags.initialize(repeating: false)
            let matchedA = UnsafeMutableBufferPointer(rebasing: flags[..<a.count])
            let matchedB = UnsafeMutableBufferPointer(rebasing: flags[a.count...])
            var matches = 0
            for i in 0..<a.count {
                let low = max(0, i - window)
                let high = min(b.count - 1, i + window)
                guard low <= high else { continue }
                for j in low...high where !matchedB[j] && a[i] == b[j] {
                    matchedA[i] = true
                    matchedB[j] = true
                    matches += 1
                    break
                }
            }
            guard matches > 0 else { return 0 }
            var transpositions = 0
            var j = 0
            for i in 0..<a.count where matchedA[i] {
                while !matchedB[j] { j += 1 }
                if a[i] != b[j] { transpositions += 1 }
                j += 1
            }
            return winkler(a, b, matches: matches, transpositions: transpositions, prefixScale: prefixScale)
        }
    }

    /// Token-set similarity: shared tokens over the smaller token set, so word order and an extra word
    /// ("Müller Maschinenbau" vs "Maschinenbau Müller Süd") matter little.
    /// The same on token lists (repeats count once): a name has a handful of tokens, so scanning them
    /// costs less than building sets for every compared pair.
    public static func tokenSet(_ first: [String], _ second: [String]) -> Double {
        func distinct(_ tokens: [String]) -> Int {
            var count = 0
            for index in tokens.indices where !tokens[..<index].contains(tokens[index]) { count += 1 }
            return count
        }
        let (countA, countB) = (distinct(first), distinct(second))
        guard countA > 0, countB > 0 else { return countA == 0 && countB == 0 ? 1 : 0 }
        let (small, large, smallCount) = countA <= countB ? (first, second, countA) : (second, first, countB)
        var shared = 0
        for index in small.indices where !small[..<index].contains(small[index]) && large.contains(small[index]) {
            shared += 1
        }
        return Double(shared) / Double(smallCount)
    }

    /// Whether every word of one space-separated text is a word of the other (token-set similarity 1),
    /// on the UTF-8 bytes in place: the matcher asks this for pairs whose names are close but not equal.
    public static func sameTokenSet(_ first: String, _ second: String) -> Bool {
        var (x, y) = (first, second)
        return x.withUTF8 { a in y.withUTF8 { b in wordsContained(a, in: b) || wordsContained(b, in: a) } }
    }

    static func wordsContained(_ a: UnsafeBufferPointer<UInt8>, in b: UnsafeBufferPointer<UInt8>) -> Bool {
        let space = UInt8(ascii: " ")
        func contains(_ word: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
            var start = 0
            while start <= b.count {
                var end = start
                while end < b.count && b[end] != space { end += 1 }
                if end > start && b[start..<end].elementsEqual(word) { return true }
                start = end + 1
            }
            return false
        }
        var start = 0
        var any = false
        while start <= a.count {
            var end = start
            while end < a.count && a[end] != space { end += 1 }
            if end > start {
                any = true
                if !contains(a[start..<end]) { return false }
            }
            start = end + 1
        }
        return any
    }

    public static func tokenSet(_ a: Set<String>, _ b: Set<String>) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return a.isEmpty && b.isEmpty ? 1 : 0 }
        let (small, large) = a.count <= b.count ? (a, b) : (b, a)
        var shared = 0
        for token in small where large.contains(token) { shared += 1 }
        return Double(shared) / Double(small.count)
    }

    /// Whether two texts differ by at most one edit: a substitution, an insertion or deletion, or two
    /// neighbouring characters swapped (the typos of typed identifiers and dates).
    public static func withinOneEdit(_ first: String, _ second: String) -> Bool {
        guard abs(first.utf8.count - second.utf8.count) <= 1 else { return false }
        var (x, y) = (first, second)
        return x.withUTF8 { a in y.withUTF8 { b in withinOneEdit(a, b) } }
    }

    static func withinOneEdit(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if a.count == b.count {
            var differences = 0
            var (first, second) = (0, 0)
            for index in 0..<a.count where a[index] != b[index] {
                differences += 1
                if differences == 1 {
                    first = index
                } else if differences == 2 {
                    second = index
                } else {
                    return false
                }
            }
            if differences < 2 { return true }
            return second == first + 1 && a[first] == b[second] && a[second] == b[first]
        }
        guard abs(a.count - b.count) == 1 else { return false }
        let (long, short) = a.count > b.count ? (a, b) : (b, a)
        var index = 0
        while index < short.count && long[index] == short[index] { index += 1 }
        while index < short.count {
            if long[index + 1] != short[index] { return false }
            index += 1
        }
        return true
    }
}
