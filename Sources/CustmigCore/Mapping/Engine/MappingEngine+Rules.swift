import Foundation

/// The mapping's validation rules, checked on each mapped record.
/// A rule's `matches` pattern, matched against the whole value: natively when it is a simple shape,
/// else by Foundation's regular expressions (ICU syntax).
enum RulePattern {
    case shape(SimplePattern)
    case expression(NSRegularExpression)

    init?(_ pattern: String) {
        if let shape = SimplePattern(pattern) {
            self = .shape(shape)
        } else if let expression = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$") {
            self = .expression(expression)
        } else {
            return nil
        }
    }

    /// Nil when the full engine's step budget ran out before it decided (see ``NSRegularExpression/boundedMatches(in:firstOnly:)``);
    /// the native matcher always decides, in time linear in the value.
    func matches(_ value: String) -> Bool? {
        switch self {
        case .shape(let shape): return shape.matches(value)
        case .expression(let expression):
            return expression.boundedMatches(in: value, firstOnly: true).map { !$0.isEmpty }
        }
    }
}

extension MappingEngine {
    static func patterns(in rule: MappingRule) -> [String] {
        switch rule.kind {
        case .pattern(_, let pattern): return [pattern]
        case .rejectWhen(let condition), .reviewWhen(let condition): return patterns(in: condition)
        case .crossField(let when, let then): return patterns(in: when) + patterns(in: then)
        default: return []
        }
    }

    static func patterns(in condition: Condition) -> [String] {
        switch condition {
        case .matches(_, let pattern): return [pattern]
        case .all(let items), .any(let items): return items.flatMap(patterns(in:))
        case .not(let inner): return patterns(in: inner)
        default: return []
        }
    }
}

/// The values a rule reads at one path: a `source.` field's value as read, or the mapped values there.
/// Walked in place rather than collected: rules ask for values several times per record.
struct RuleValues: Sequence {
    fileprivate enum Storage {
        case read(String?)
        case mapped(CanonicalValues.Values)
    }

    fileprivate let storage: Storage

    var first: String? {
        var iterator = makeIterator()
        return iterator.next()
    }

    var isEmpty: Bool { first == nil }

    struct Iterator: IteratorProtocol {
        fileprivate var read: String?
        fileprivate var mapped: CanonicalValues.Values.Iterator?

        mutating func next() -> String? {
            if let value = read {
                read = nil
                return value
            }
            return mapped?.next()
        }
    }

    func makeIterator() -> Iterator {
        switch storage {
        case .read(let value): Iterator(read: value, mapped: nil)
        case .mapped(let values): Iterator(read: nil, mapped: values.makeIterator())
        }
    }
}

extension MappingEngine {
    fileprivate func values(_ path: String, record: Record, canonical: CanonicalValues) -> RuleValues {
        if path.hasPrefix("source.") {
            let value = record.text(atPath: String(path.dropFirst(7))) ?? ""
            return RuleValues(storage: .read(value.isEmpty ? nil : value))
        }
        return RuleValues(storage: .mapped(canonical.all(path)))
    }

    /// An undecided match counts as no match and names its pattern in `undecided`.
    fileprivate func matches(_ value: String, _ pattern: String, _ undecided: inout String?) -> Bool {
        guard let expression = ruleExpression(pattern) else { return false }
        guard let verdict = expression.matches(value) else {
            undecided = pattern
            return false
        }
        return verdict
    }

    func holds(_ condition: Condition, record: Record, canonical: CanonicalValues, undecided: inout String?) -> Bool {
        func all(_ path: String) -> RuleValues { values(path, record: record, canonical: canonical) }
        func holds(_ condition: Condition, undecided: inout String?) -> Bool {
            self.holds(condition, record: record, canonical: canonical, undecided: &undecided)
        }
        switch condition {
        case .equals(let path, let value): return all(path).contains(value)
        case .notEquals(let path, let value): return !all(path).contains(value)
        case .isIn(let path, let list): return all(path).contains { list.contains($0) }
        case .notIn(let path, let list): return !all(path).contains { list.contains($0) }
        case .greaterThan(let path, let limit): return all(path).contains { (Double($0) ?? -.infinity) > limit }
        case .lessThan(let path, let limit): return all(path).contains { (Double($0) ?? .infinity) < limit }
        case .isEmpty(let path): return all(path).isEmpty
        case .isNotEmpty(let path): return !all(path).isEmpty
        case .matches(let path, let pattern): return all(path).contains { matches($0, pattern, &undecided) }
        case .all(let items): return items.allSatisfy { holds($0, undecided: &undecided) }
        case .any(let items): return items.contains { holds($0, undecided: &undecided) }
        case .not(let inner): return !holds(inner, undecided: &undecided)
        }
    }
}

extension MappingEngine {
    /// Checks every rule; a broken rule adds a finding with the rule's message and fix. A `unique`
    /// rule's value goes to `unique`, for the ledger's writer to check against the records before.
    func checkRules(
        record: Record, canonical: CanonicalValues, findings: inout [MappingFinding], unique: inout [UniqueValue]
    ) {
        // Read in place: iterating `mapping.rules` copied every rule (all its strings) for every record.
        for entry in rules {
            var broken: (field: String?, value: String?)?
            var undecided: String?
            var outcome: MappingFinding.Outcome = entry.rule.severity == .review ? .review : .reject
            switch entry.rule.kind {
            case .required(let path):
                if values(path, record: record, canonical: canonical).isEmpty { broken = (path, nil) }
            case .unique(let path):
                if let value = values(path, record: record, canonical: canonical).first {
                    unique.append(UniqueValue(rule: entry.rule.id, value: value))
                }
            case .pattern(let path, let pattern):
                if let bad = values(path, record: record, canonical: canonical).first(where: {
                    !matches($0, pattern, &undecided)
                }) {
                    broken = (path, bad)
                }
            case .allowed(let path, let list):
                if let bad = values(path, record: record, canonical: canonical).first(where: { !list.contains($0) }) {
                    broken = (path, bad)
                }
            case .length(let path, let minimum, let maximum):
                if let bad = values(path, record: record, canonical: canonical).first(where: { value in
                    value.count < (minimum ?? 0) || value.count > (maximum ?? Int.max)
                }) {
                    broken = (path, bad)
                }
            case .rejectWhen(let condition):
                outcome = .reject
                if holds(condition, record: record, canonical: canonical, undecided: &undecided) {
                    broken = (Self.field(of: condition), nil)
                }
            case .reviewWhen(let condition):
                outcome = .review
                if holds(condition, record: record, canonical: canonical, undecided: &undecided) {
                    broken = (Self.field(of: condition), nil)
                }
            case .crossField(let when, let then):
                if holds(when, record: record, canonical: canonical, undecided: &undecided)
                    && !holds(then, record: record, canonical: canonical, undecided: &undecided)
                {
                    broken = (Self.field(of: then), nil)
                }
            }
            let rule = entry.rule
            if let undecided {
                // Never silent: a value the pattern could not be decided on is held for a person to look at.
                let field = broken?.field ?? Self.field(of: rule.kind)
                findings.append(
                    MappingFinding(
                        .review, rule: rule.id, field: field,
                        value: broken?.value
                            ?? field.flatMap { values($0, record: record, canonical: canonical).first },
                        message: "custmig could not decide rule \(rule.id) on this value: its pattern \(undecided) "
                            + "ran out of its step budget (nested repetition makes the matcher backtrack without end)",
                        fix:
                            "Write the pattern without nested repetition ((a+)+ matches what a+ matches), then map again."
                    ))
                continue
            }
            guard let broken else { continue }
            var value = broken.value ?? broken.field.flatMap { values($0, record: record, canonical: canonical).first }
            var message = rule.message
            // A required field the extract does fill, with a value a transform or value map could not use
            // ("Sverige" as a country): say what it holds instead of calling it missing.
            if case .required(let path) = entry.rule.kind, value == nil,
                let unusable = findings.first(where: { finding in
                    finding.field.map(Self.withoutIndexes) == path && !(finding.value ?? "").isEmpty
                        && finding.outcome != .note
                })
            {
                value = unusable.value
                message +=
                    ": the extract holds \"\(unusable.value ?? "")\", which custmig could not use (\(unusable.message))"
            }
            findings.append(
                MappingFinding(
                    outcome, rule: rule.id, field: broken.field, value: value, message: message, fix: rule.fix))
        }
    }

    static func field(of kind: MappingRule.Kind) -> String? {
        if let path = kind.fieldPath { return path }
        switch kind {
        case .rejectWhen(let condition), .reviewWhen(let condition): return field(of: condition)
        case .crossField(_, let then): return field(of: then)
        default: return nil
        }
    }

    static func field(of condition: Condition) -> String? {
        if let path = condition.leafPath { return path }
        switch condition {
        case .all(let items), .any(let items): return items.first.flatMap(field(of:))
        case .not(let inner): return field(of: inner)
        default: return nil
        }
    }

    /// `addresses[0].country` -> `addresses.country`: a finding's field as a rule names it.
    static func withoutIndexes(_ field: String) -> String {
        var result = ""
        var skipping = false
        for character in field {
            if character == "[" {
                skipping = true
            } else if character == "]" {
                skipping = false
            } else if !skipping {
                result.append(character)
            }
        }
        return result
    }
}
