/// Everything wrong with a mapping file, found before any data is read; thrown as one error.
public struct MappingProblems: Error, CustomStringConvertible, Sendable {
    public var problems: [CustmigError]
    /// What had the problems and what was therefore not done, for the closing line.
    public var subject = "the mapping"
    public var consequence = "nothing was read"

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Suggests the closest known name for a misspelt one ("did you mean …").
public enum Suggestion {
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        let lowered = word.lowercased()
        // Lengths further apart than the limit can never be close: skipped without the quadratic distance
        // (a header with a million columns is checked once per name the mapping reads).
        // And only the first 10,000 candidates are weighed: a suggestion among more says nothing.
        let scored = candidates.prefix(10_000).lazy.filter { abs($0.count - word.count) <= limit }
            .map { ($0, distance(lowered, $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= limit ? best.0 : nil
    }

    /// Lists at most ``listed`` candidates: an extract with 10,000 columns printed them all in every message.
    static let listed = 40

    static func fix(for word: String, in candidates: [String], what: String) -> String {
        if let close = closest(to: word, in: candidates) { return "did you mean \"\(close)\"?" }
        guard candidates.count > listed else {
            return "use one of the \(what): \(candidates.sorted().joined(separator: ", "))."
        }
        let shown = candidates.prefix(listed).map { $0.count > 40 ? $0.prefix(40) + "…" : $0 }
        return "use one of the \(candidates.count) \(what) (the first \(listed): \(shown.joined(separator: ", ")), …)."
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
