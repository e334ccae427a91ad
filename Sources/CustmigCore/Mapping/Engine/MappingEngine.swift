import Foundation

/// Applies a ``Mapping`` to source records, one at a time, identically every time.
///
/// Steps per record: the addresses first (their country is the context for phones and VAT ids), then
/// the customer's own fields, then the other lists; each field: source value, default, transforms,
/// value map, kind check; then the rules. A value that cannot be mapped with certainty sends the record
/// to review and stays out of the canonical record; nothing is guessed. A `unique` rule's value is only
/// handed on (``MappedRecord/uniqueValues``): whether it repeats depends on the records before it,
/// which the ledger's writer settles in extract order (``UniqueCheck``), so engines need not share state.
public final class MappingEngine {
    public let mapping: Mapping
    private let expressions: [String: RulePattern]

    func ruleExpression(_ pattern: String) -> RulePattern? { expressions[pattern] }

    public init(mapping: Mapping) {
        self.mapping = mapping
        var expressions: [String: RulePattern] = [:]
        for rule in mapping.rules {
            for pattern in MappingEngine.patterns(in: rule) { expressions[pattern] = RulePattern(pattern) }
        }
        self.expressions = expressions
        if case .highest(let field) = mapping.source.sameKey {
            sequenceSource = field.hasPrefix("control.") ? .control(String(field.dropFirst(8))) : .field(field)
        } else {
            sequenceSource = nil
        }
        plan = SectionPlan(mapping.customer, valueMaps: mapping.valueMaps)
        rules = mapping.rules.map(RuleEntry.init)
        // The canonical paths the rules read (their `source.` fields are read from the record).
        plan.markReadByRules(Set(mapping.rules.flatMap { Mapping.paths(of: $0.kind) }))
    }

    /// Where a record's `same_key: highest:FIELD` value is read, worked out once (not per record).
    enum SequenceSource {
        case control(String)
        case field(String)
    }

    let sequenceSource: SequenceSource?

    /// A rule held by reference, so that checking it does not copy it.
    final class RuleEntry {
        let rule: MappingRule
        init(_ rule: MappingRule) { self.rule = rule }
    }

    /// The mapping's rules, in order.
    let rules: [RuleEntry]

    /// The customer section, compiled for this engine (each engine has its own: plans remember things).
    private let plan: SectionPlan

    private struct Scope {
        let record: Record
        let top: Record
    }

    /// One record's mapping state, on the task mapping it only (no exclusivity checks: see ``SectionPlan``).
    private final class Run {
        @exclusivity(unchecked) var tracing = false
        @exclusivity(unchecked) var traces: [FieldTrace] = []
        @exclusivity(unchecked) var findings: [MappingFinding] = []
        @exclusivity(unchecked) var uniqueValues: [UniqueValue] = []
        @exclusivity(unchecked) var values = CanonicalValues()
        @exclusivity(unchecked) var country: String?
    }

    public func map(_ original: Record) -> MappedRecord { map(original, run: Run()) }

    /// Maps a record again with tracing: every field's source, raw value, each step's output, and every
    /// rule's verdict. Deterministic, so it shows exactly what the run that stored the record did.
    public func explain(_ record: Record) -> (MappedRecord, RecordTrace) {
        let run = Run()
        run.tracing = true
        let mapped = map(record, run: run)
        let broken = Dictionary(mapped.findings.map { ($0.rule, $0) }, uniquingKeysWith: { first, _ in first })
        let verdicts = mapping.rules.map { rule in
            RecordTrace.Verdict(
                rule: rule.id, outcome: broken[rule.id]?.outcome.rawValue ?? "ok", message: broken[rule.id]?.message)
        }
        let corrections = mapped.findings.filter { $0.outcome == .corrected }.map(\.message)
        return (
            mapped,
            RecordTrace(fields: run.traces, corrections: corrections, rules: verdicts, findings: mapped.findings)
        )
    }

    private func map(_ original: Record, run: Run) -> MappedRecord {
        let record = applyCorrections(original, run: run)
        let scope = Scope(record: record, top: record)
        var addresses: [Address] = []
        if let addressPlans = plan.list(.addresses) {
            addresses = elements(addressPlans, scope: scope, list: "addresses", run: run).map(makeAddress)
            // By index: a key path over the elements copied each address whole.
            for index in addresses.indices {
                if let country = addresses[index].country {
                    run.country = country
                    break
                }
            }
        }
        let fields = evaluate(plan, scope: scope, path: .customer, run: run)
        for index in fields.values.indices where plan.fields[index].readByRules {
            if let value = fields.values[index] { run.values.add(plan.fields[index].canonicalPath, value) }
        }
        // The customer is never copied on its way into the mapped record: each copy retained and
        // released every string and list in it.
        var customer: CanonicalCustomer?
        var legacyKey: String?
        if let key = fields["key"] {
            // Built in place: a local customer assigned to the optional one was copied whole.
            customer = CanonicalCustomer(key: key, legacyKey: fields["legacy_key"] ?? key)
            apply(fields, to: &customer!)
            customer!.addresses = addresses
            for (section, plans) in plan.lists where section != .addresses {
                let list = section.rawValue
                switch section {
                case .contacts:
                    customer!.contacts = elements(plans, scope: scope, list: list, run: run).map(makeContact)
                case .salesAreas: customer!.salesAreas = salesAreas(plans, scope: scope, run: run)
                case .companyCodes:
                    customer!.companyCodes = elements(plans, scope: scope, list: list, run: run).compactMap(
                        makeCompanyCode)
                case .bankAccounts:
                    customer!.bankAccounts = elements(plans, scope: scope, list: list, run: run).map(makeBankAccount)
                case .identifiers:
                    customer!.identifiers = elements(plans, scope: scope, list: list, run: run).compactMap(
                        makeIdentifier)
                default: break
                }
            }
            legacyKey = customer!.legacyKey
        }
        checkRules(record: record, canonical: run.values, findings: &run.findings, unique: &run.uniqueValues)
        if legacyKey == nil && !run.findings.contains(where: { $0.outcome == .reject }) {
            run.findings.append(
                MappingFinding(
                    .reject, rule: "key", field: "key", value: nil,
                    message: "the record has no customer key after mapping",
                    fix: "fill the source key field (\(mapping.source.key.joined(separator: ", ")))"))
        }
        if let legacyKey { mapping.applyDecisions(legacyKey: legacyKey, to: &run.findings) }
        return MappedRecord(
            customer: customer.take(), findings: run.findings, position: record.position,
            uniqueValues: run.uniqueValues)
    }

    /// The source fields and segments the mapping reads that no record this engine mapped had, as
    /// `NAME (where the mapping reads it)`: a misspelt XML element maps to nothing, silently, otherwise.
    /// Fields of a segment never seen are not listed again.
    public func unseenSources() -> Set<String> {
        var unseen: Set<String> = []
        func walk(_ section: SectionPlan, label: String) {
            if let each = section.each, !section.seen {
                unseen.insert("each: \(each) (\(label))")
                return
            }
            for field in section.fields where !field.seen {
                if let source = field.trackedSource { unseen.insert("\(source) (\(field.canonicalPath))") }
            }
            for (_, plans) in section.lists {
                for (index, plan) in plans.enumerated() { walk(plan, label: "\(plan.section.rawValue)[\(index)]") }
            }
        }
        walk(plan, label: "customer")
        return unseen
    }

    /// The raw legacy key of a source record: its `source.key` fields, trimmed, joined with `|`.
    public func sourceKey(of record: Record) -> String { Self.sourceKey(of: record, mapping: mapping) }

    /// The same without an engine, for the reading task (engines belong to the mapping tasks).
    static func sourceKey(of record: Record, mapping: Mapping) -> String {
        mapping.source.key.map { TextFolding.composed((record.text(atPath: $0) ?? "").trimmedWhitespace) }.joined(
            separator: "|")
    }

    private func applyCorrections(_ record: Record, run: Run) -> Record {
        guard !mapping.corrections.isEmpty, let corrections = mapping.corrections[sourceKey(of: record)] else {
            return record
        }
        var corrected = record
        for correction in corrections {
            let before = corrected[correction.field]?.text
            if let index = corrected.fields.firstIndex(where: { $0.name == correction.field }) {
                corrected.fields[index].value = .text(correction.value)
            } else {
                corrected.fields.append(Field(correction.field, .text(correction.value)))
            }
            run.findings.append(
                MappingFinding(
                    .corrected, rule: "correction", field: correction.field, value: correction.value,
                    message:
                        "\(before.map { "\"\($0)\"" } ?? "no value") corrected to \"\(correction.value)\": \(correction.reason) "
                        + "(\(correction.who), corrections.csv line \(correction.line))"))
        }
        return corrected
    }

    // MARK: Values

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
    private func value(of plan: FieldPlan, path: ElementPath, scope: Scope, run: Run) -> String? {
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

    private func evaluate(_ section: SectionPlan, scope: Scope, path: ElementPath, run: Run) -> FieldValues {
        var result = FieldValues(names: section.names)
        for (index, plan) in section.fields.enumerated() {
            result.values[index] = value(of: plan, path: path, scope: scope, run: run)
        }
        return result
    }

    /// Calls `body` with each scope a list section's elements come from: one per source element
    /// (`each`), or the enclosing scope itself, handed on without copying it (most sections of a flat
    /// extract have no `each`, and copying a scope retains every field of two records).
    private func forEachScope(_ section: SectionPlan, in scope: Scope, _ body: (Scope) -> Void) {
        guard let each = section.each else { return body(scope) }
        var segments = scope.record.segments(atPath: each)
        if !section.matching.isEmpty {
            // Segments joined to the whole record (KNVP rows by KUNNR), picked for this element (its
            // sales area) by the where: fields.
            if segments.isEmpty { segments = scope.top.segments(atPath: each) }
            if !segments.isEmpty { section.seen = true }
            for segment in segments
            where section.matching.allSatisfy({ pair in
                (segment.text(atPath: pair.segmentField) ?? "").trimmedWhitespace
                    == (scope.record.text(atPath: pair.elementField) ?? "").trimmedWhitespace
            }) {
                body(Scope(record: segment, top: scope.top))
            }
            return
        }
        if !segments.isEmpty { section.seen = true }
        for segment in segments { body(Scope(record: segment, top: scope.top)) }
    }

    /// One element of a list, or nil when it has no mapped value, or lacks an identifying field (then
    /// with a finding). Its values become what the rules read.
    private func element(_ section: SectionPlan, scope: Scope, path: ElementPath, run: Run) -> FieldValues? {
        let fields = evaluate(section, scope: scope, path: path, run: run)
        let plans = section.fields
        if !plans.indices.contains(where: { !plans[$0].isConstant && fields.values[$0] != nil }) { return nil }
        for (position, index) in section.identifying.enumerated() where index < 0 || fields.values[index] == nil {
            let missing = CanonicalCatalog.identifying[section.section]?[position] ?? "?"
            run.findings.append(
                MappingFinding(
                    .review, rule: "list:\(section.section.rawValue)", field: "\(path.label).\(missing)", value: nil,
                    message: "a \(section.section.rawValue) element has no \(missing) and is left out",
                    fix: "fill \(missing) in the source"))
            return nil
        }
        for index in plans.indices where plans[index].readByRules {
            if let value = fields.values[index] { run.values.add(plans[index].canonicalPath, value) }
        }
        return fields
    }

    /// The elements of one list, numbered from `firstIndex` in finding labels.
    private func elements(
        _ sections: [SectionPlan], scope: Scope, list: String, run: Run, firstIndex: Int = 0
    ) -> [FieldValues] {
        var result: [FieldValues] = []
        for section in sections {
            forEachScope(section, in: scope) { elementScope in
                let path = ElementPath(list: list, index: firstIndex + result.count)
                if let fields = element(section, scope: elementScope, path: path, run: run) { result.append(fields) }
            }
        }
        return result
    }

    private func salesAreas(_ sections: [SectionPlan], scope: Scope, run: Run) -> [SalesArea] {
        var areas: [SalesArea] = []
        for section in sections {
            forEachScope(section, in: scope) { elementScope in
                let path = ElementPath(list: "sales_areas", index: areas.count)
                guard let fields = element(section.withoutLists, scope: elementScope, path: path, run: run),
                    var area = makeSalesArea(fields)
                else { return }
                for (_, partnerSections) in section.lists {
                    area.partners += elements(
                        partnerSections, scope: elementScope, list: "sales_areas.partners", run: run
                    )
                    .compactMap { fields in
                        guard let roleName = fields["role"], let customer = fields["customer"] else { return nil }
                        guard let role = PartnerFunction.Role(rawValue: roleName) else {
                            run.findings.append(
                                MappingFinding(
                                    .review, rule: "list:partners", field: "sales_areas.partners.role", value: roleName,
                                    message: "\"\(roleName)\" is not a partner role (sold_to, ship_to, bill_to, payer)",
                                    fix: "map the legacy role in a value map"))
                            return nil
                        }
                        return PartnerFunction(role: role, customerKey: customer)
                    }
                }
                areas.append(consume area)
            }
        }
        return areas
    }
}
