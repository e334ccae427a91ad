import Foundation

/// The code lists an ERP is configured with (payment terms, sales organizations, company codes…), as
/// read from a code-list file (`kind,code,description,detail`) or from a target's `code_*` tables.
public struct CodeLists: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var description: String
        public var detail: String
    }

    /// Kind -> code -> entry.
    public var entries: [String: [String: Entry]] = [:]

    public init() {}

    public func contains(_ code: String, kind: String) -> Bool { entries[kind]?[code] != nil }

    public var count: Int { entries.values.reduce(0) { $0 + $1.count } }

    /// Reads a code-list file; unknown kinds, duplicate codes and bad number ranges are refused with
    /// their line (all of them at once).
    public static func read(path: String) throws -> CodeLists {
        guard FileManager.default.fileExists(atPath: path) else { throw CustmigError.missingFile(path) }
        var problems: [CustmigError] = []
        let rows = StewardFileReader.rows(
            path, columns: ["kind", "code", "description", "detail"], problems: &problems)
        let known = Set(TargetSchema.codeKinds.map(\.name))
        var lists = CodeLists()
        var lineOf: [String: Int] = [:]
        for row in rows {
            let (kind, code) = (row.values[0], row.values[1])
            let location = SourceLocation(file: path, line: row.line)
            guard known.contains(kind) else {
                problems.append(
                    CustmigError(
                        .usage, code: "CODES-KIND", "unknown code-list kind \"\(kind)\".", at: location,
                        fix: Suggestion.fix(for: kind, in: known.sorted(), what: "kinds")))
                continue
            }
            guard !code.isEmpty else {
                problems.append(
                    CustmigError(
                        .usage, code: "CODES-EMPTY", "a \(kind) without a code.", at: location,
                        fix: "fill the code column."))
                continue
            }
            if let earlier = lineOf[kind + "\u{0}" + code] {
                problems.append(
                    CustmigError(
                        .usage, code: "CODES-DUPLICATE", "\(kind) \"\(code)\" is already defined on line \(earlier).",
                        at: location, fix: "keep one line per kind and code."))
                continue
            }
            if kind == "account_group", !row.values[3].isEmpty, NumberRange(row.values[3]) == nil {
                problems.append(
                    CustmigError(
                        .usage, code: "CODES-RANGE",
                        "account group \(code): \"\(row.values[3])\" is not a number range.",
                        at: location, fix: "write FROM-TO with digits of the same length, e.g. 0001000000-0001999999."))
                continue
            }
            lineOf[kind + "\u{0}" + code] = row.line
            lists.entries[kind, default: [:]][code] = Entry(description: row.values[2], detail: row.values[3])
        }
        if !problems.isEmpty {
            // One line per problem, each with its own fix, and a closing line (exit code 64).
            throw MappingProblems(problems: problems, subject: path, consequence: "nothing was loaded")
        }
        return lists
    }
}

/// An internal number range of an account group: `0001000000-0001999999`.
public struct NumberRange: Sendable, Equatable {
    public var from: UInt64
    public var to: UInt64
    public var width: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, parts[0].count == parts[1].count, let from = UInt64(parts[0]),
            let to = UInt64(parts[1]), from <= to
        else { return nil }
        self.from = from
        self.to = to
        width = parts[0].count
    }

    public func format(_ number: UInt64) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    public func contains(_ id: String) -> Bool {
        id.count == width && UInt64(id).map { (from...to).contains($0) } == true
    }
}
