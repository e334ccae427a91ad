import Foundation

/// A steward's correction of a source value, carried over to every rehearsal: `corrections.csv`
/// beside the mapping, columns `legacy_key,field,value,reason,who` (field = a source field).
public struct Correction: Sendable, Hashable {
    public var legacyKey: String
    public var field: String
    public var value: String
    public var reason: String
    public var who: String
    public var line: Int
}

/// A steward's decision on a review item: `review-decisions.csv` beside the mapping, columns
/// `legacy_key,rule,decision,who` with decision `approve` (load it as it is) or `reject`.
public struct ReviewDecision: Sendable, Hashable {
    public enum Verdict: String, Sendable {
        case approve
        case reject
    }

    public var legacyKey: String
    public var rule: String
    public var verdict: Verdict
    public var who: String
    public var line: Int
}

/// Reads the steward files beside a mapping; a malformed line is a mapping problem with its line.
enum StewardFileReader {
    static func corrections(folder: String, problems: inout [CustmigError]) -> [Correction] {
        rows(folder + "/corrections.csv", columns: ["legacy_key", "field", "value", "reason", "who"], problems: &problems)
            .map { Correction(legacyKey: $0.values[0], field: $0.values[1], value: $0.values[2], reason: $0.values[3], who: $0.values[4], line: $0.line) }
    }

    static func decisions(folder: String, problems: inout [CustmigError]) -> [ReviewDecision] {
        let path = folder + "/review-decisions.csv"
        var seen: [String: (ReviewDecision.Verdict, Int)] = [:]
        return rows(path, columns: ["legacy_key", "rule", "decision", "who"], problems: &problems).compactMap { row in
            guard let verdict = ReviewDecision.Verdict(rawValue: row.values[2].lowercased()) else {
                problems.append(
                    CustmigError(
                        .usage, code: "MAP-DECISION", "decision \"\(row.values[2])\" is neither approve nor reject.",
                        at: SourceLocation(file: path, line: row.line), fix: "write approve or reject."))
                return nil
            }
            let key = row.values[0] + "\u{0}" + row.values[1]
            if let (earlier, line) = seen[key], earlier != verdict {
                problems.append(
                    CustmigError(
                        .usage, code: "MAP-DECISION",
                        "customer \(row.values[0]), rule \(row.values[1]): \(verdict.rawValue) here contradicts \(earlier.rawValue) on line \(line).",
                        at: SourceLocation(file: path, line: row.line), fix: "keep one decision per customer and rule."))
            }
            seen[key] = (verdict, row.line)
            return ReviewDecision(legacyKey: row.values[0], rule: row.values[1], verdict: verdict, who: row.values[3], line: row.line)
        }
    }

    static func rows(
        _ path: String, columns: [String], problems: inout [CustmigError]
    ) -> [(values: [String], line: Int)] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do {
            var options = ExtractOptions(format: .csv, encoding: .utf8, delimiter: UInt8(ascii: ","))
            options.hasHeader = true
            let reader = try CSVRecordReader(path: path, options: options)
            let header = reader.description.columns.map { $0.lowercased() }
            guard header == columns else {
                problems.append(
                    CustmigError(
                        .usage, code: "MAP-STEWARD-FILE", header.isEmpty
                            ? "\(path) is empty (it has no header line)."
                            : "\(path) has the columns \(header.joined(separator: ",")).",
                        at: SourceLocation(file: path, line: 1), fix: "its header must be \(columns.joined(separator: ","))."))
                return []
            }
            var result: [(values: [String], line: Int)] = []
            while let record = try reader.next() {
                result.append((record.fields.map { ($0.value.text ?? "").trimmedWhitespace }, record.position.line))
            }
            for finding in reader.drainFindings() where finding.severity == .error {
                problems.append(CustmigError(.usage, code: finding.code, finding.message, at: finding.location, fix: finding.fix))
            }
            return result
        } catch let error as CustmigError {
            problems.append(error)
            return []
        } catch {
            problems.append(CustmigError(.usage, code: "MAP-STEWARD-FILE", "cannot read \(path): \(error)."))
            return []
        }
    }
}
