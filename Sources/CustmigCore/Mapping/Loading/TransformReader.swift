import Yams

/// Reads the `transforms:` list of a field mapping.
///
///     transforms: [trim, collapse_spaces, {truncate: 35}, {parse_date: [dd.MM.yyyy, yyyyMMdd]},
///                  {parse_decimal: {decimal: ",", grouping: "."}}, {regex_replace: {pattern: "x", with: "y"}},
///                  {remove_characters: "-/"}, {alpha: 10}]
struct TransformReader {
    static let plain: [String: Transform] = [
        "trim": .trim, "collapse_spaces": .collapseSpaces, "upper": .upper, "lower": .lower, "title": .title,
        "strip_leading_zeros": .stripLeadingZeros, "country": .country, "language": .language,
        "currency": .currency, "phone": .phone, "email": .email, "vat_id": .vatId, "iban": .iban,
        "alpha_out": .alphaOut,
    ]
    static let parameterized = ["truncate", "parse_date", "parse_decimal", "regex_replace", "remove_characters", "alpha"]
    static var allNames: [String] { Array(plain.keys) + parameterized }

    let reader: YAMLReader

    func read(_ node: Node, field: String) -> [Transform] {
        let items: [Node]
        if case .sequence(let sequence) = node {
            items = Array(sequence)
        } else {
            items = [node]
        }
        return items.compactMap { read(one: $0, field: field) }
    }

    private func read(one node: Node, field: String) -> Transform? {
        if case .scalar(let scalar) = node {
            if let transform = Self.plain[scalar.string] { return transform }
            if Self.parameterized.contains(scalar.string) {
                reader.problem(
                    node, "MAP-TRANSFORM", "transform \"\(scalar.string)\" of \(field) needs a parameter.",
                    fix: "write it as {\(scalar.string): …}; see Mappings/README.md.")
            } else {
                reader.problem(
                    node, "MAP-TRANSFORM", "unknown transform \"\(scalar.string)\" in \(field).",
                    fix: Suggestion.fix(for: scalar.string, in: Self.allNames, what: "transforms"))
            }
            return nil
        }
        let pairs = reader.pairs(node, allowed: nil, context: "a transform of \(field)")
        guard pairs.count == 1, let (name, keyNode, value) = pairs.first.map({ ($0.key, $0.keyNode, $0.value) }) else {
            if !pairs.isEmpty {
                reader.problem(node, "MAP-TRANSFORM", "a transform of \(field) must have exactly one name.")
            }
            return nil
        }
        switch name {
        case "truncate":
            guard let length = reader.int(value, context: "truncate in \(field)", in: 1...1_000_000) else { return nil }
            return .truncate(length)
        case "alpha":
            guard let length = reader.int(value, context: "alpha in \(field)", in: 1...64) else { return nil }
            return .alpha(length: length)
        case "parse_date":
            guard let layouts = reader.strings(value, context: "parse_date in \(field)"), !layouts.isEmpty else {
                return nil
            }
            for layout in layouts {
                // Quoted text ('T') is literal; what is left must have a year, a month and a day.
                let fields = layout.split(separator: "'", omittingEmptySubsequences: false).enumerated()
                    .filter { $0.offset % 2 == 0 }.map(\.element).joined()
                var problem: String?
                if !fields.contains("yy") {
                    problem = "has no year (yy or yyyy)"
                } else if !fields.contains("M") {
                    problem = fields.contains("mm") ? "has no month: mm is minutes, MM is the month" : "has no month (MM)"
                } else if !fields.contains("d") {
                    problem = fields.contains("D") ? "has no day: D is not a day, dd is" : "has no day (dd)"
                } else if layout.filter({ $0 == "'" }).count % 2 == 1 {
                    problem = "has an unclosed quote"
                }
                if let problem {
                    reader.problem(
                        value, "MAP-TRANSFORM", "date layout \"\(layout)\" in \(field) \(problem).",
                        fix: "write layouts like dd.MM.yyyy, d.M.yyyy, yyyyMMdd, MM/dd/yyyy or yyyy-MM-dd'T'HH:mm:ss.")
                }
            }
            return .parseDate(layouts: layouts)
        case "parse_decimal":
            var decimal: Character = "."
            var grouping: Character?
            for pair in reader.pairs(value, allowed: ["decimal", "grouping"], context: "parse_decimal in \(field)") {
                guard let text = reader.string(pair.value, context: pair.key), text.count <= 1 else {
                    reader.problem(pair.value, "MAP-TRANSFORM", "\(pair.key) must be one character.")
                    continue
                }
                if pair.key == "decimal", let first = text.first { decimal = first } else { grouping = text.first }
            }
            if decimal == grouping {
                reader.problem(value, "MAP-TRANSFORM", "parse_decimal in \(field) uses \"\(decimal)\" for both separators.")
            }
            return .parseDecimal(decimal: decimal, grouping: grouping)
        case "regex_replace":
            var pattern: String?
            var replacement = ""
            for pair in reader.pairs(value, allowed: ["pattern", "with"], context: "regex_replace in \(field)") {
                if pair.key == "pattern" {
                    pattern = reader.string(pair.value, context: "pattern")
                } else {
                    replacement = reader.string(pair.value, context: "with") ?? ""
                }
            }
            guard let pattern else {
                reader.problem(value, "MAP-TRANSFORM", "regex_replace in \(field) needs a pattern.")
                return nil
            }
            if (try? NSRegularExpression(pattern: pattern)) == nil {
                reader.problem(value, "MAP-TRANSFORM", "\"\(pattern)\" in \(field) is not a valid regular expression.")
                return nil
            }
            return .regexReplace(pattern: pattern, replacement: replacement)
        case "remove_characters":
            return reader.string(value, context: "remove_characters in \(field)").map { .removeCharacters($0) }
        default:
            reader.problem(
                keyNode, "MAP-TRANSFORM", "unknown transform \"\(name)\" in \(field).",
                fix: Suggestion.fix(for: name, in: Self.allNames, what: "transforms"))
            return nil
        }
    }

    /// The canonical kind a chain of transforms produces, if it produces a specific one.
    static func producedKind(_ transforms: [Transform]) -> CanonicalKind? {
        var kind: CanonicalKind?
        for transform in transforms {
            switch transform {
            case .country: kind = .country
            case .language: kind = .language
            case .currency: kind = .currency
            case .phone: kind = .phone
            case .email: kind = .email
            case .vatId: kind = .vatId
            case .iban: kind = .iban
            case .parseDate: kind = .date
            case .parseDecimal: kind = .decimal
            default: break
            }
        }
        return kind
    }
}

import Foundation
