import Foundation
import Yams

/// Reads `rules:`. Each rule has an `id`, exactly one check, a `message` and optionally a `fix`:
///
///     - id: name-required
///       required: name1
///       message: the customer has no name
///       fix: add the name in the legacy system
///     - id: deletion-flag
///       reject_when: {field: deletion_flag, equals: "true"}
///       message: the customer is marked for deletion
///     - id: big-credit
///       review_when: {field: credit_limit, greater_than: 1000000}
///       message: credit limits above 1,000,000 need finance's approval
struct RuleReader {
    let reader: YAMLReader
    static let checks = ["required", "unique", "pattern", "allowed", "length", "reject_when", "review_when", "when"]

    func read(_ node: Node) -> [MappingRule] {
        guard case .sequence(let sequence) = node else {
            reader.problem(node, "MAP-SHAPE", "rules must be a list.")
            return []
        }
        var seen = Set<String>()
        return sequence.compactMap { element -> MappingRule? in
            let allowed = ["id", "message", "fix", "severity", "then"] + Self.checks
            let pairs = reader.pairs(element, allowed: allowed, context: "a rule")
            var values: [String: Node] = [:]
            for pair in pairs { values[pair.key] = pair.value }
            guard let idNode = values["id"], let id = reader.string(idNode, context: "rule id") else {
                reader.problem(element, "MAP-RULE", "a rule has no id.", fix: "add id: a-short-name.")
                return nil
            }
            if !seen.insert(id).inserted { reader.problem(idNode, "MAP-RULE", "rule id \"\(id)\" is used twice.") }
            guard let messageNode = values["message"], let message = reader.string(messageNode, context: "message") else {
                reader.problem(element, "MAP-RULE", "rule \(id) has no message.", fix: "say what is wrong, for a data steward.")
                return nil
            }
            let found = Self.checks.filter { values[$0] != nil }
            guard found.count == 1, let check = found.first, let body = values[check] else {
                reader.problem(
                    element, "MAP-RULE", "rule \(id) needs exactly one check (found \(found.count)).",
                    fix: "use one of \(Self.checks.joined(separator: ", ")).")
                return nil
            }
            var severity: MappingRule.Severity = check == "review_when" ? .review : .reject
            if let severityNode = values["severity"], let text = reader.string(severityNode, context: "severity") {
                if let parsed = MappingRule.Severity(rawValue: text) {
                    severity = parsed
                } else {
                    reader.problem(severityNode, "MAP-RULE", "severity must be reject or review, not \"\(text)\".")
                }
            }
            let kind: MappingRule.Kind?
            switch check {
            case "required": kind = field(body, rule: id).map { .required($0) }
            case "unique": kind = field(body, rule: id).map { .unique($0) }
            case "pattern": kind = pattern(body, rule: id)
            case "allowed": kind = allowedValues(body, rule: id)
            case "length": kind = length(body, rule: id)
            case "reject_when": kind = condition(body, rule: id).map { .rejectWhen($0) }
            case "review_when": kind = condition(body, rule: id).map { .reviewWhen($0) }
            default:
                guard let thenNode = values["then"] else {
                    reader.problem(element, "MAP-RULE", "rule \(id) has when: but no then:.")
                    return nil
                }
                if let when = condition(body, rule: id), let then = condition(thenNode, rule: id) {
                    kind = .crossField(when: when, then: then)
                } else {
                    kind = nil
                }
            }
            guard let kind else { return nil }
            let fix = values["fix"].flatMap { reader.string($0, context: "fix") }
            return MappingRule(
                id: id, kind: kind, severity: severity, message: message, fix: fix, location: reader.location(element))
        }
    }

    /// Canonical field paths rules may name: `name1`, `addresses.country`, `sales_areas.partners.role`,
    /// or a raw source field as `source.FIELD`.
    static let knownPaths: [String] = {
        var paths: [String] = []
        for (section, fields) in CanonicalCatalog.fields {
            let prefix: String
            switch section {
            case .customer: prefix = ""
            case .partners: prefix = "sales_areas.partners."
            default: prefix = section.rawValue + "."
            }
            paths += fields.keys.map { prefix + $0 }
        }
        return paths
    }()

    private func field(_ node: Node, rule: String) -> String? {
        guard let name = reader.string(node, context: "the field of rule \(rule)") else { return nil }
        if name.hasPrefix("source.") || Self.knownPaths.contains(name) { return name }
        reader.problem(
            node, "MAP-RULE-FIELD", "rule \(rule) names \"\(name)\", which is not a canonical field.",
            fix: Suggestion.fix(for: name, in: Self.knownPaths, what: "canonical fields (or source.FIELD)"))
        return nil
    }

    private func pattern(_ node: Node, rule: String) -> MappingRule.Kind? {
        var fieldName: String?
        var regex: String?
        for pair in reader.pairs(node, allowed: ["field", "regex"], context: "pattern of rule \(rule)") {
            if pair.key == "field" { fieldName = field(pair.value, rule: rule) } else {
                regex = reader.string(pair.value, context: "regex")
                if let regex, (try? NSRegularExpression(pattern: regex)) == nil {
                    reader.problem(pair.value, "MAP-RULE", "\"\(regex)\" in rule \(rule) is not a valid regular expression.")
                }
            }
        }
        guard let fieldName, let regex else { return nil }
        return .pattern(fieldName, regex)
    }

    private func allowedValues(_ node: Node, rule: String) -> MappingRule.Kind? {
        var fieldName: String?
        var values: [String] = []
        for pair in reader.pairs(node, allowed: ["field", "values"], context: "allowed of rule \(rule)") {
            if pair.key == "field" { fieldName = field(pair.value, rule: rule) } else {
                values = reader.strings(pair.value, context: "values") ?? []
            }
        }
        guard let fieldName else { return nil }
        return .allowed(fieldName, values)
    }

    private func length(_ node: Node, rule: String) -> MappingRule.Kind? {
        var fieldName: String?
        var minimum: Int?
        var maximum: Int?
        for pair in reader.pairs(node, allowed: ["field", "min", "max"], context: "length of rule \(rule)") {
            switch pair.key {
            case "field": fieldName = field(pair.value, rule: rule)
            case "min": minimum = reader.int(pair.value, context: "min", in: 0...Int.max)
            default: maximum = reader.int(pair.value, context: "max", in: 0...Int.max)
            }
        }
        guard let fieldName else { return nil }
        return .length(fieldName, min: minimum, max: maximum)
    }

    /// `{field: x, equals: v}` (or not_equals, in, not_in, greater_than, less_than, empty: true,
    /// not_empty: true, matches), `{all: [...]}`, `{any: [...]}`, `{not: {...}}`.
    func condition(_ node: Node, rule: String) -> Condition? {
        let operators = ["equals", "not_equals", "in", "not_in", "greater_than", "less_than", "empty", "not_empty", "matches"]
        let pairs = reader.pairs(node, allowed: ["field", "all", "any", "not"] + operators, context: "a condition of rule \(rule)")
        var values: [String: Node] = [:]
        for pair in pairs { values[pair.key] = pair.value }
        if let list = values["all"] ?? values["any"] {
            guard case .sequence(let items) = list else {
                reader.problem(list, "MAP-RULE", "all/any in rule \(rule) must be a list of conditions.")
                return nil
            }
            let conditions = items.compactMap { condition($0, rule: rule) }
            return values["all"] != nil ? .all(conditions) : .any(conditions)
        }
        if let inner = values["not"] { return condition(inner, rule: rule).map { .not($0) } }
        guard let fieldNode = values["field"], let name = field(fieldNode, rule: rule) else {
            if values["field"] == nil { reader.problem(node, "MAP-RULE", "a condition of rule \(rule) names no field.") }
            return nil
        }
        let found = operators.filter { values[$0] != nil }
        guard found.count == 1, let op = found.first, let value = values[op] else {
            reader.problem(
                node, "MAP-RULE", "a condition of rule \(rule) needs exactly one operator.",
                fix: "use one of \(operators.joined(separator: ", ")).")
            return nil
        }
        switch op {
        case "equals": return reader.string(value, context: op).map { .equals(name, $0) }
        case "not_equals": return reader.string(value, context: op).map { .notEquals(name, $0) }
        case "in": return reader.strings(value, context: op).map { .isIn(name, $0) }
        case "not_in": return reader.strings(value, context: op).map { .notIn(name, $0) }
        case "greater_than", "less_than":
            guard let text = reader.string(value, context: op), let number = Double(text) else {
                reader.problem(value, "MAP-RULE", "\(op) in rule \(rule) needs a number.")
                return nil
            }
            return op == "greater_than" ? .greaterThan(name, number) : .lessThan(name, number)
        case "empty": return .isEmpty(name)
        case "not_empty": return .isNotEmpty(name)
        default: return reader.string(value, context: op).map { .matches(name, $0) }
        }
    }
}
