import Foundation

/// One field's value: read from the record, cleaned (Unicode composed, control characters replaced),
/// defaulted, transformed (or the plain steps), mapped through its value map and checked against its
/// canonical kind, with a finding for each thing that went wrong or changed it.
extension MappingEngine {
    private func resolve(_ source: ValueSource, scope: Scope) -> String {
        switch source {
        case .constant(let value):
            return value
        case .field(let name):
            if name.hasPrefix("control.") {
                let key = String(name.dropFirst(8))
                return scope.top.control.first { $0.name == key }?.value.text ?? ""
            }
            return scope.record.text(atPath: name) ?? ""
        case .concat(let parts, let separator):
            return parts.map { resolve($0, scope: scope).trimmedWhitespace }.filter { !$0.isEmpty }
                .joined(separator: separator)
        case .split(let inner, let separator, let part):
            return resolve(inner, scope: scope).piece(part, separatedBy: separator)
        }
    }

    /// The raw source value of a plan's field, using the remembered slot for plain fields.
    private func raw(_ plan: FieldPlan, scope: Scope) -> String {
        guard let name = plan.plainSource else { return resolve(plan.field.source, scope: scope) }
        if plan.isPath {
            guard let text = scope.record.text(atPath: name) else { return "" }
            plan.seen = true
            return text
        }
        let fields = scope.record.fields
        let slot = plan.slot
        // Read in place: subscripting the array copied the field (its name and value) to compare a name.
        let known = fields.withUnsafeBufferPointer { fields -> String? in
            guard slot >= 0 && slot < fields.count && fields[slot].name == plan.slotName else { return nil }
            return fields[slot].value.elementText ?? ""
        }
        if let known { return known }
        // An optional element before it (an IDoc's TELFX) moves a field by one: its neighbours first.
        var found: Int?
        if slot + 1 < fields.count && fields[slot + 1].name == name {
            found = slot + 1
        } else if slot >= 1 && slot - 1 < fields.count && fields[slot - 1].name == name {
            found = slot - 1
        }
        guard let index = found ?? fields.firstIndex(where: { $0.name == name }) else { return "" }
        plan.slot = index
        plan.slotName = fields[index].name
        plan.seen = true
        return fields[index].value.elementText ?? ""
    }

    /// The mapped value of one field, or nil when it is empty or could not be mapped (then with a finding).
    func value(of plan: FieldPlan, path: ElementPath, scope: Scope, run: Run) -> String? {
        var raw = self.raw(plan, scope: scope)
        // The value as read is kept for `explain` only: a copy for every field is one more retain.
        let source = run.tracing ? raw : ""
        let facts = TextFolding.facts(raw)
        if facts.composable { raw = TextFolding.composed(raw) }
        var cleaning: [FieldTrace.Step] = []
        if run.tracing, !raw.utf8.elementsEqual(source.utf8) {
            cleaning.append(FieldTrace.Step(step: "compose Unicode (NFC)", output: raw, problem: nil))
        }
        if facts.control, let cleaned = TextFolding.withoutControlCharacters(raw) {
            cleaning.append(FieldTrace.Step(step: "control characters to spaces", output: cleaned.text, problem: nil))
            let names = cleaned.removed.map { "U+" + String(format: "%04X", $0.value) }
            run.findings.append(
                MappingFinding(
                    .note, rule: "note:control_characters", field: path.label(plan.name), value: raw,
                    message:
                        "replaced \(names.count) control character(s) (\(Set(names).sorted().joined(separator: ", "))) with spaces",
                    fix: "remove the control characters from the field in the source system"))
            raw = cleaned.text
        }
        // Composing or cleaning can change blankness only for a value they changed.
        let blank = facts.composable || facts.control ? TextFolding.isBlank(raw) : facts.blank
        if blank && plan.field.defaultValue == nil && !run.tracing { return nil }
        // Only `explain` traces: mapping a record makes no trace to throw away.
        var trace: FieldTrace? =
            run.tracing
            ? FieldTrace(
                field: path.label(plan.name), source: plan.field.source.traceDescription, raw: source, steps: cleaning,
                value: nil) : nil
        defer { if let trace { run.traces.append(trace) } }
        if blank {
            guard let fallback = plan.field.defaultValue else { return nil }
            raw = fallback
            trace?.steps.append(FieldTrace.Step(step: "default", output: fallback, problem: nil))
        }
        if trace == nil, let value = plan.plainValue(of: raw) {
            // Steps that always map and never note (trim, case, spaces, a truncate that does not cut) and
            // no value map: the transform chain, its outcome and the memo would only copy the value around.
            guard !value.isEmpty, kindAccepts(plan, value: value, raw: raw, path: path, run: run) else { return nil }
            return value
        }
        let context = TransformContext(country: run.country)
        if trace != nil { trace?.steps += Self.transformSteps(plan.field.transforms, raw, context: context) }
        let outcome = plan.outcome(of: raw, context: context)
        for note in outcome.notes {
            let transform = note.split(separator: ":").first.map(String.init) ?? "transform"
            run.findings.append(
                MappingFinding(
                    .note, rule: "note:" + transform, field: path.label(plan.name), value: raw, message: note,
                    fix: Self.noteFix(transform)))
        }
        switch outcome.result.verdict {
        case .review(let reason), .invalid(let reason):
            let transform = outcome.failed?.name ?? "transform"
            run.findings.append(
                MappingFinding(
                    .review, rule: "transform:\(transform)", field: path.label(plan.name), value: raw, message: reason,
                    fix: "correct the value in the source, or add a correction for this customer and field"))
            return nil
        case .ok, .note:
            break
        }
        var value = outcome.result.value
        if value.isEmpty { return nil }
        if let table = plan.valueMap {
            let tableName = table.name
            trace?.steps.append(
                FieldTrace.Step(
                    step: "value map \(tableName)", output: outcome.mapped ?? value,
                    problem: outcome.mapped == nil ? "code not in the table (unknown: \(table.unknown))" : nil))
            if let mapped = outcome.mapped {
                value = mapped
            } else {
                switch table.unknown {
                case .keep: break
                case .useDefault(let fallback): value = fallback
                case .reject, .review:
                    run.findings.append(
                        MappingFinding(
                            table.unknown == .reject ? .reject : .review, rule: "value_map:\(tableName)",
                            field: path.label(plan.name), value: value,
                            message: "code \"\(value)\" is not in the value map \(tableName)",
                            fix: "add \"\(value)\" to the value map \(tableName) (\(table.file ?? mapping.file))"))
                    return nil
                }
            }
        }
        guard kindAccepts(plan, value: value, raw: raw, path: path, run: run) else { return nil }
        trace?.value = value.isEmpty ? nil : value
        return value.isEmpty ? nil : value
    }

    /// Whether the value's canonical kind takes it; if not, the record gets a review finding naming it.
    private func kindAccepts(_ plan: FieldPlan, value: String, raw: String, path: ElementPath, run: Run) -> Bool {
        guard let problem = Self.kindProblem(plan, value: value, raw: raw) else { return true }
        run.findings.append(
            MappingFinding(
                .review, rule: problem.rule, field: path.label(plan.name), value: problem.value,
                message: problem.message, fix: problem.fix))
        return false
    }

    /// A mapped value its canonical kind refuses: a flag that is not `true`/`false`, or a negative amount
    /// (a credit limit is 0 or more; the target refuses a negative one, and the dry run would only say
    /// so in SQL).
    private static func kindProblem(
        _ plan: FieldPlan, value: String, raw: String
    ) -> (rule: String, value: String, message: String, fix: String)? {
        switch plan.kind {
        case .flag where value != "true" && value != "false":
            return (
                "kind:flag", value, "\"\(value)\" is not a yes/no flag after mapping",
                "map it to true or false in a value map"
            )
        case .code where plan.isCategory && CustomerCategory(rawValue: value) == nil:
            return (
                "kind:category", value, "\"\(value)\" is not a customer category after mapping",
                "map it to person or organization in a value map (or leave category out: it is then inferred)"
            )
        case .decimal where value.hasPrefix("-"):
            return (
                "kind:amount", raw, "\(plan.name) is negative (\(value)); it must be 0 or more",
                "correct the amount in the source (SAP writes negatives with a trailing minus), or add a correction"
            )
        default:
            return nil
        }
    }

    /// What a steward does about a transform's note: it depends on what the transform changed.
    private static func noteFix(_ transform: String) -> String {
        switch transform {
        case "truncate": return "check the target field's length or shorten the value at the source"
        case "parse_date":
            return "check the century; write the year with four digits at the source, or add a correction"
        case "email": return "check the address; correct it at the source if it is not the one meant"
        default: return "check the changed value; correct it at the source if it is not what is meant"
        }
    }

    /// Each transform's output and problem, for `explain`.
    private static func transformSteps(
        _ transforms: [Transform], _ raw: String, context: TransformContext
    ) -> [FieldTrace.Step] {
        var steps: [FieldTrace.Step] = []
        var current = raw
        for transform in transforms {
            let step = transform.apply(current, context: context)
            var problem: String?
            switch step.verdict {
            case .review(let reason), .invalid(let reason): problem = reason
            case .note(let note): problem = "note: " + note
            case .ok: break
            }
            steps.append(FieldTrace.Step(step: "transform \(transform.name)", output: step.value, problem: problem))
            if !step.isMapped { break }
            current = step.value
        }
        return steps
    }
}
