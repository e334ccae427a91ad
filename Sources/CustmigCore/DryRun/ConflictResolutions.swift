import Foundation

/// `conflict-resolutions.csv` beside the mapping: `key,field,resolution,who`, where key is the canonical
/// key, field a path as the diff report names it (`credit_limit`, `address[legal-1].street`), and
/// resolution `ours` (take ours) or `theirs` (keep the target's value). Re-applied on every re-plan.
public struct ConflictResolutions: Sendable, Equatable {
    public var byKey: [String: [String: ConflictResolution]] = [:]
    /// The file's SHA-256 ("" when there is none): part of the plan's inputs.
    public var digest = ""
    public var count: Int { byKey.values.reduce(0) { $0 + $1.count } }

    public init() {}

    public static func read(path: String) throws -> ConflictResolutions {
        var result = ConflictResolutions()
        guard FileManager.default.fileExists(atPath: path) else { return result }
        var problems: [CustmigError] = []
        let rows = StewardFileReader.rows(path, columns: ["key", "field", "resolution", "who"], problems: &problems)
        var seen: [String: Int] = [:]
        for row in rows {
            let location = SourceLocation(file: path, line: row.line)
            guard let resolution = ConflictResolution(rawValue: row.values[2].lowercased()) else {
                problems.append(
                    CustmigError(
                        .usage, code: "RESOLVE-VALUE", "resolution \"\(row.values[2])\" is neither ours nor theirs.",
                        at: location, fix: "write ours (take custmig's value) or theirs (keep the target's)."))
                continue
            }
            let id = row.values[0] + "\u{0}" + row.values[1]
            if let earlier = seen[id], result.byKey[row.values[0]]?[row.values[1]] != resolution {
                problems.append(
                    CustmigError(
                        .usage, code: "RESOLVE-CONTRADICTS",
                        "\(row.values[0]) \(row.values[1]): \(resolution.rawValue) contradicts line \(earlier).",
                        at: location,
                        fix: "keep one resolution per customer and field."))
                continue
            }
            seen[id] = row.line
            result.byKey[row.values[0], default: [:]][row.values[1]] = resolution
        }
        if !problems.isEmpty {
            throw MappingProblems(problems: problems, subject: path, consequence: "no resolution was applied")
        }
        result.digest = try FileDigest.sha256(path: path)
        return result
    }
}
