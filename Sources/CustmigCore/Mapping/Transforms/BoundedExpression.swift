import Foundation

/// ICU's matcher backtracks without bound on nested repetition (`(a+)+$` on 40 characters ran for 20 s),
/// and Foundation offers no time limit. ICU does report progress about every 10,000 steps while it
/// matches; these helpers count those reports against a budget that grows with the value's length and
/// stop the match when it is spent, so that no value costs more than a few milliseconds beyond its size.
extension NSRegularExpression {
    /// Progress reports allowed for a value of `length` UTF-16 units (one report is ~10,000 steps).
    static func stepBudget(length: Int) -> Int { 16 + length / 64 }

    /// Every match in `text`, or nil when the budget ran out before the matcher was done.
    func boundedMatches(in text: String, firstOnly: Bool = false) -> [NSTextCheckingResult]? {
        let range = NSRange(text.startIndex..., in: text)
        var budget = Self.stepBudget(length: range.length)
        var results: [NSTextCheckingResult] = []
        var exhausted = false
        enumerateMatches(in: text, options: [.reportProgress], range: range) { result, flags, stop in
            if let result {
                results.append(result)
                if firstOnly { stop.pointee = true }
            }
            if flags.contains(.progress) {
                budget -= 1
                if budget < 0 {
                    exhausted = true
                    stop.pointee = true
                }
            }
        }
        return exhausted ? nil : results
    }

    /// `stringByReplacingMatches(in:range:withTemplate:)` under the budget; nil when it ran out.
    func boundedReplacingMatches(in text: String, template: String) -> String? {
        guard let results = boundedMatches(in: text) else { return nil }
        guard !results.isEmpty else { return text }
        let source = text as NSString
        var output = ""
        var cursor = 0
        for result in results {
            output += source.substring(with: NSRange(location: cursor, length: result.range.location - cursor))
            output += replacementString(for: result, in: text, offset: 0, template: template)
            cursor = result.range.location + result.range.length
        }
        output += source.substring(from: cursor)
        return output
    }
}
