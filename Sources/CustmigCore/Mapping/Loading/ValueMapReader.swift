import Foundation
import Yams

/// Reads `value_maps:`: inline tables or CSV files beside the mapping (`legacy,target` per line,
/// a header line `legacy,target` optional), each with a policy for unknown codes.
///
///     value_maps:
///       payment_terms: {file: payment-terms.csv, unknown: review}
///       partner_roles: {values: {AG: sold_to, WE: ship_to, RE: bill_to, RG: payer}, unknown: reject}
///       account_groups: {values: {KUNA: "0001"}, unknown: {default: "0001"}, ignore_case: true}
struct ValueMapReader {
    let reader: YAMLReader
    let folder: String

    func read(_ node: Node) -> [String: ValueMap] {
        var maps: [String: ValueMap] = [:]
        for pair in reader.pairs(node, allowed: nil, context: "value_maps") {
            var entries: [String: String] = [:]
            var unknown = ValueMap.Unknown.reject
            var ignoreCase = false
            var file: String?
            var hasEntries = false
            let allowed = ["values", "file", "unknown", "ignore_case"]
            for item in reader.pairs(pair.value, allowed: allowed, context: "value map \(pair.key)") {
                switch item.key {
                case "values":
                    hasEntries = true
                    for entry in reader.pairs(item.value, allowed: nil, context: "values of \(pair.key)") {
                        entries[entry.key] = reader.string(entry.value, context: "value of \(entry.key)") ?? ""
                    }
                case "file":
                    hasEntries = true
                    guard let name = reader.string(item.value, context: "file") else { continue }
                    file = name.hasPrefix("/") ? name : folder + "/" + name
                    guard Self.isInside(file!, folder: folder) else {
                        // A mapping names files beside it; reading others would let a mapping read (and
                        // echo into errors and the ledger) any file the user can read.
                        reader.problem(
                            item.value, "MAP-VALUE-MAP-FILE",
                            "value map \(pair.key): \(name) is outside the mapping's folder \(folder); nothing was read.",
                            fix: "copy the CSV into \(folder) and name it relative to the mapping.")
                        continue
                    }
                    if let loaded = loadCSV(file!, node: item.value, map: pair.key) {
                        entries.merge(loaded) { _, new in new }
                    }
                case "unknown": unknown = readUnknown(item.value, map: pair.key)
                default: ignoreCase = reader.string(item.value, context: "ignore_case") == "true"
                }
            }
            if !hasEntries {
                reader.problem(pair.value, "MAP-VALUE-MAP", "value map \(pair.key) has neither values: nor file:.")
            }
            if ignoreCase {
                entries = Dictionary(entries.map { (ValueMap.fold($0.key), $0.value) }) { first, _ in first }
            }
            maps[pair.key] = ValueMap(
                name: pair.key, entries: entries, unknown: unknown, ignoreCase: ignoreCase, file: file)
        }
        return maps
    }

    private func readUnknown(_ node: Node, map: String) -> ValueMap.Unknown {
        if case .scalar(let scalar) = node {
            switch scalar.string {
            case "reject": return .reject
            case "review": return .review
            case "keep": return .keep
            default:
                reader.problem(
                    node, "MAP-VALUE-MAP", "unknown: in value map \(map) must be reject, review, keep or {default: x}.",
                    fix: Suggestion.fix(for: scalar.string, in: ["reject", "review", "keep"], what: "policies"))
                return .reject
            }
        }
        for pair in reader.pairs(node, allowed: ["default"], context: "unknown of \(map)") {
            return .useDefault(reader.string(pair.value, context: "default") ?? "")
        }
        return .reject
    }

    /// Whether `path`, with `..` and symbolic links resolved, lies in `folder` (or below it).
    static func isInside(_ path: String, folder: String) -> Bool {
        func resolved(_ path: String) -> String {
            URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        }
        let base = resolved(folder)
        let target = resolved(path)
        return target.hasPrefix(base.hasSuffix("/") ? base : base + "/")
    }

    private func loadCSV(_ path: String, node: Node, map: String) -> [String: String]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            reader.problem(
                node, "MAP-VALUE-MAP-FILE", "value map \(map): cannot read \(path).",
                fix: "put the CSV (legacy,target per line, UTF-8) beside the mapping or fix the name.")
            return nil
        }
        var entries: [String: String] = [:]
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || (index == 0 && trimmed.lowercased() == "legacy,target") {
                continue
            }
            guard let fields = ValueMap.fields(trimmed) else {
                reader.problem(
                    node, "MAP-VALUE-MAP-FILE",
                    "\(path):\(index + 1): a quote on this line does not close (each entry of a value map is one line).",
                    fix: "close the quote; a quote inside a quoted value is doubled (\"\")."
                )
                continue
            }
            let parts = fields.map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else {
                // The line is not quoted in the message: a file that is not a value map may hold anything.
                reader.problem(
                    node, "MAP-VALUE-MAP-FILE",
                    "\(path):\(index + 1): expected legacy,target (a code, a comma, the target's code); this line has "
                        + (parts.count < 2 ? "no comma." : "\(parts.count) values."),
                    fix: "quote a code that holds a comma: \"Müller, Hamburg\",MH."
                )
                continue
            }
            if let previous = entries[parts[0]], previous != parts[1] {
                reader.problem(
                    node, "MAP-VALUE-MAP-FILE",
                    "\(path):\(index + 1): code \"\(parts[0])\" is mapped twice (\(previous) and \(parts[1])).")
            }
            entries[parts[0]] = parts[1]
        }
        return entries
    }
}

extension ValueMap {
    /// One line's comma-separated values, quoted as CSV is (`"a, b",c` is two values; `""` inside quotes
    /// is a quote); nil when a quote does not close.
    static func fields(_ line: String) -> [String]? {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var atFieldStart = true
        var characters = line.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" {
                        current.append("\"")
                        pending = characters.next()
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" && atFieldStart {
                quoted = true
                atFieldStart = false
            } else if character == "," {
                fields.append(current)
                current = ""
                atFieldStart = true
            } else {
                if !character.isWhitespace { atFieldStart = false }
                if atFieldStart && character.isWhitespace { continue }
                current.append(character)
            }
        }
        guard !quoted else { return nil }
        fields.append(current)
        return fields
    }

    static func fold(_ code: String) -> String { code.trimmedWhitespace.lowercased() }

    /// The target code for a legacy code, or nil when the table does not know it.
    public func lookup(_ code: String) -> String? {
        entries[ignoreCase ? ValueMap.fold(code) : code]
    }
}
