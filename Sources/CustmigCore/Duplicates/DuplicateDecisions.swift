import Foundation

/// A steward's decision on a pair of customers, carried over to every later run:
/// `duplicate-decisions.csv` beside the mapping, columns `first_key,second_key,decision,who` with legacy
/// keys and `merge` or `keep_apart`.
public struct DuplicateDecision: Sendable, Hashable {
    public enum Verdict: String, Sendable {
        case merge
        case keepApart = "keep_apart"
    }

    public var first: String
    public var second: String
    public var verdict: Verdict
    public var who: String
    public var line: Int
}

/// Reads and checks a decisions file: a bad line, an unknown key or a contradiction (A=B, B=C, A≠C)
/// refuses the whole file with the lines involved.
public enum DuplicateDecisionFile {
    public static let header = "first_key,second_key,decision,who"

    /// `lineName` says a line of the file as the person should look it up (the file may be a draft
    /// made of two files).
    public static func read(
        path: String, knownKeys: Set<String>?, lineName: (Int) -> String = { "line \($0)" }
    ) throws -> [DuplicateDecision] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        var options = ExtractOptions(format: .csv, encoding: .utf8, delimiter: UInt8(ascii: ","))
        options.hasHeader = true
        let reader = try CSVRecordReader(path: path, options: options)
        guard reader.description.columns.map({ $0.lowercased() }) == header.split(separator: ",").map(String.init) else {
            throw CustmigError(
                .usage, code: "DUP-DECISIONS", reader.description.columns.isEmpty
                    ? "\(path) is empty (it has no header line)."
                    : "\(path) has the columns \(reader.description.columns.joined(separator: ",")).",
                at: SourceLocation(file: path, line: 1), fix: "its header must be \(header).")
        }
        var decisions: [DuplicateDecision] = []
        var problems: [CustmigError] = []
        while let record = try reader.next() {
            problems += reader.drainFindings().filter { $0.severity == .error }.map(Self.problem)
            let values = record.fields.map { ($0.value.text ?? "").trimmedWhitespace }
            let location = SourceLocation(file: path, line: record.position.line)
            if values[0] == values[1] {
                problems.append(
                    CustmigError(
                        .usage, code: "DUP-DECISIONS", "customer \(values[0]) is paired with itself.",
                        at: location, fix: "name two different customers, or remove the line."))
                continue
            }
            guard let verdict = DuplicateDecision.Verdict(rawValue: values[2].lowercased()) else {
                problems.append(
                    CustmigError(
                        .usage, code: "DUP-DECISIONS", "decision \"\(values[2])\" is neither merge nor keep_apart.",
                        at: location, fix: "write merge or keep_apart."))
                continue
            }
            if let knownKeys {
                for key in values[0...1] where !knownKeys.contains(key) {
                    problems.append(
                        CustmigError(
                            .usage, code: "DUP-DECISIONS", "customer \(key) is not in the map run being matched.",
                            at: location, fix: "check the legacy key, or remove the line if the customer is gone."))
                }
            }
            decisions.append(
                DuplicateDecision(first: values[0], second: values[1], verdict: verdict, who: values[3], line: record.position.line))
        }
        problems += reader.drainFindings().filter { $0.severity == .error }.map(Self.problem)
        problems += contradictions(decisions, file: path, lineName: lineName)
        if !problems.isEmpty { throw MappingProblems(problems: problems) }
        return decisions
    }

    /// A line the CSV reader could not read is a problem of the file, never a decision lost quietly.
    static func problem(_ finding: Finding) -> CustmigError {
        CustmigError(.usage, code: finding.code, finding.message, at: finding.location, fix: finding.fix)
    }

    /// A `keep_apart` pair whose customers the `merge` decisions connect (directly or through others).
    static func contradictions(
        _ decisions: [DuplicateDecision], file: String, lineName: (Int) -> String = { "line \($0)" }
    ) -> [CustmigError] {
        var parent: [String: String] = [:]
        func root(_ key: String) -> String {
            var current = key
            while let next = parent[current], next != current { current = next }
            return current
        }
        var mergeLines: [String: [Int]] = [:]
        for decision in decisions where decision.verdict == .merge {
            let (a, b) = (root(decision.first), root(decision.second))
            parent[a] = parent[a] ?? a
            parent[b] = parent[b] ?? b
            if a != b {
                parent[max(a, b)] = min(a, b)
                mergeLines[min(a, b), default: []] += (mergeLines[max(a, b)] ?? []) + [decision.line]
            } else {
                mergeLines[a, default: []].append(decision.line)
            }
        }
        return decisions.filter { $0.verdict == .keepApart && parent[$0.first] != nil && root($0.first) == root($0.second) }
            .map { decision in
                let lines = (mergeLines[root(decision.first)] ?? []).sorted().map(lineName).joined(separator: ", ")
                return CustmigError(
                    .usage, code: "DUP-CONTRADICTION",
                    "keep_apart \(decision.first) and \(decision.second) contradicts the merge decisions (\(lines)) "
                        + "that connect them.",
                    at: SourceLocation(file: file, line: decision.line), fix: "remove one of the conflicting lines.")
            }
    }
}
