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
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    static func fix(for word: String, in candidates: [String], what: String) -> String {
        if let close = closest(to: word, in: candidates) { return "did you mean \"\(close)\"?" }
        return "use one of the \(what): \(candidates.sorted().joined(separator: ", "))."
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
