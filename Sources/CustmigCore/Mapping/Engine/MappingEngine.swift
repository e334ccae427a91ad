import Foundation

/// Applies a ``Mapping`` to source records, one at a time, identically every time.
///
/// Steps per record: the addresses first (their country is the context for phones and VAT ids), then
/// the customer's own fields, then the other lists; each field: source value, default, transforms,
/// value map, kind check; then the rules. A value that cannot be mapped with certainty sends the record
/// to review and stays out of the canonical record; nothing is guessed. `unique` rules remember the
/// values seen, so one engine maps one extract.
public final class MappingEngine {
    public let mapping: Mapping
    private var seen: [String: Set<String>] = [:]
    private let expressions: [String: NSRegularExpression]

    /// Records a value for a `unique` rule; false when it was seen before in this extract.
    func remember(_ value: String, rule: String) -> Bool {
        let inserted = seen[rule, default: []].insert(value).inserted
        if inserted { rememberedNow.append(UniqueValue(rule: rule, value: value)) }
        return inserted
    }

    private var rememberedNow: [UniqueValue] = []

    /// Values committed by an earlier, interrupted run of the same extract.
    public func preload(_ values: [UniqueValue]) {
        for value in values { seen[value.rule, default: []].insert(value.value) }
    }

    func ruleExpression(_ pattern: String) -> NSRegularExpression? { expressions[pattern] }

    public init(mapping: Mapping) {
        self.mapping = mapping
        var expressions: [String: NSRegularExpression] = [:]
        for rule in mapping.rules {
            for pattern in MappingEngine.patterns(in: rule) {
                expressions[pattern] = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$")
            }
        }
        self.expressions = expressions
        prepare(mapping.customer)
    }

    /// A field of a section, prepared once: its name, kind, canonical path, and where its source field
    /// was last found in a record (records of one extract have their fields in the same order).
    final class FieldPlan {
        let name: String
        let field: FieldMapping
        let kind: CanonicalKind
        let canonicalPath: String
        let isConstant: Bool
        var slot = -1

        init(name: String, field: FieldMapping, section: CanonicalSection) {
            self.name = name
            self.field = field
            kind = CanonicalCatalog.kind(of: name, in: section) ?? .text
            switch section {
            case .customer: canonicalPath = name
            case .partners: canonicalPath = "sales_areas.partners." + name
            default: canonicalPath = section.rawValue + "." + name
            }
            if case .constant = field.source { isConstant = true } else { isConstant = false }
        }
    }

    private var plans: [SourceLocation: [FieldPlan]] = [:]

    private func prepare(_ spec: SectionMapping) {
        plans[spec.location] = spec.fields.sorted { $0.key < $1.key }.map {
            FieldPlan(name: $0.key, field: $0.value, section: spec.section)
        }
        for (_, specs) in spec.lists { for child in specs { prepare(child) } }
    }

    private struct Scope {
        let record: Record
        let top: Record
    }

    private final class Run {
        var tracing = false
        var traces: [FieldTrace] = []
        var findings: [MappingFinding] = []
        var values = CanonicalValues()
        var country: String?
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
        return (mapped, RecordTrace(fields: run.traces, corrections: corrections, rules: verdicts, findings: mapped.findings))
    }

    private func map(_ original: Record, run: Run) -> MappedRecord {
        rememberedNow = []
        let record = applyCorrections(original, run: run)
        let scope = Scope(record: record, top: record)
        let spec = mapping.customer
        var addresses: [Address] = []
        if let addressSpecs = spec.lists.first(where: { $0.section == .addresses })?.mappings {
            addresses = elements(addressSpecs, scope: scope, path: "addresses", run: run).map(makeAddress)
            run.country = addresses.compactMap(\.country).first
        }
        let fields = evaluate(spec, scope: scope, path: "", run: run)
        for (name, value) in fields { run.values.add(name, value) }
        var customer: CanonicalCustomer?
        if let key = fields["key"] {
            var built = CanonicalCustomer(key: key, legacyKey: fields["legacy_key"] ?? key)
            apply(fields, to: &built)
            built.addresses = addresses
            for (section, specs) in spec.lists where section != .addresses {
                let path = section.rawValue
                switch section {
                case .contacts: built.contacts = elements(specs, scope: scope, path: path, run: run).map(makeContact)
                case .salesAreas: built.salesAreas = salesAreas(specs, scope: scope, run: run)
                case .companyCodes:
                    built.companyCodes = elements(specs, scope: scope, path: path, run: run).compactMap(makeCompanyCode)
                case .bankAccounts:
                    built.bankAccounts = elements(specs, scope: scope, path: path, run: run).map(makeBankAccount)
                default: break
                }
            }
            customer = built
        }
        checkRules(record: record, canonical: run.values, findings: &run.findings)
        if customer == nil && !run.findings.contains(where: { $0.outcome == .reject }) {
            run.findings.append(
                MappingFinding(
                    .reject, rule: "key", field: "key", value: nil, message: "the record has no customer key after mapping",
                    fix: "fill the source key field (\(mapping.source.key.joined(separator: ", ")))"))
        }
        if let legacyKey = customer?.legacyKey { applyDecisions(legacyKey: legacyKey, findings: &run.findings) }
        var mapped = MappedRecord(customer: customer, findings: run.findings, position: record.position)
        mapped.uniqueValues = rememberedNow
        return mapped
    }

    /// The raw legacy key of a source record: its `source.key` fields, trimmed, joined with `|`.
    public func sourceKey(of record: Record) -> String {
        mapping.source.key.map { (record[$0]?.text ?? "").trimmedWhitespace }.joined(separator: "|")
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
                    message: "\(before.map { "\"\($0)\"" } ?? "no value") corrected to \"\(correction.value)\": \(correction.reason) "
                        + "(\(correction.who), corrections.csv line \(correction.line))"))
        }
        return corrected
    }

    private func applyDecisions(legacyKey: String, findings: inout [MappingFinding]) {
        guard let decisions = mapping.decisions[legacyKey] else { return }
        for decision in decisions {
            for index in findings.indices where findings[index].rule == decision.rule && findings[index].outcome == .review {
                switch decision.verdict {
                case .approve:
                    findings[index].outcome = .approved
                    findings[index].message += " — approved by \(decision.who) (review-decisions.csv line \(decision.line))"
                case .reject:
                    findings[index].outcome = .reject
                    findings[index].message += " — rejected by \(decision.who) (review-decisions.csv line \(decision.line))"
                }
            }
        }
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
            return scope.record[name]?.text ?? ""
        case .concat(let parts, let separator):
            return parts.map { resolve($0, scope: scope).trimmedWhitespace }.filter { !$0.isEmpty }
                .joined(separator: separator)
        case .split(let inner, let separator, let part):
            let pieces = resolve(inner, scope: scope).split(separator: separator, omittingEmptySubsequences: false)
            return part < pieces.count ? String(pieces[part]) : ""
        }
    }

    /// The mapped value of one field, or nil when it is empty or could not be mapped (then with a finding).
    /// The raw source value of a plan's field, using the remembered slot for plain fields.
    private func raw(_ plan: FieldPlan, scope: Scope) -> String {
        guard case .field(let name) = plan.field.source, !name.hasPrefix("control.") else {
            return resolve(plan.field.source, scope: scope)
        }
        let fields = scope.record.fields
        if plan.slot >= 0 && plan.slot < fields.count && fields[plan.slot].name == name {
            return fields[plan.slot].value.text ?? ""
        }
        guard let index = fields.firstIndex(where: { $0.name == name }) else { return "" }
        plan.slot = index
        return fields[index].value.text ?? ""
    }

    private func value(of plan: FieldPlan, path: String, scope: Scope, run: Run) -> String? {
        let field = plan.field
        let kind = plan.kind
        var raw = raw(plan, scope: scope)
        if TextFolding.isBlank(raw) && field.defaultValue == nil && !run.tracing { return nil }
        // The label (`addresses[0].country`) is built only when a finding or a trace needs it.
        var label: String?
        func name() -> String {
            if let label { return label }
            let built = path.isEmpty ? plan.name : path + "." + plan.name
            label = built
            return built
        }
        var trace = FieldTrace(field: "", source: "", raw: "", steps: [], value: nil)
        if run.tracing {
            trace = FieldTrace(field: name(), source: field.source.traceDescription, raw: raw, steps: [], value: nil)
        }
        defer { if run.tracing { run.traces.append(trace) } }
        if TextFolding.isBlank(raw) {
            guard let fallback = field.defaultValue else { return nil }
            raw = fallback
            trace.steps.append(FieldTrace.Step(step: "default", output: fallback, problem: nil))
        }
        if run.tracing {
            var current = raw
            for transform in field.transforms {
                let step = transform.apply(current, context: TransformContext(country: run.country))
                var problem: String?
                switch step.verdict {
                case .review(let reason), .invalid(let reason): problem = reason
                case .note(let note): problem = "note: " + note
                case .ok: break
                }
                trace.steps.append(FieldTrace.Step(step: "transform \(transform.name)", output: step.value, problem: problem))
                if !step.isMapped { break }
                current = step.value
            }
        }
        let (result, notes, failed) = Transform.chain(field.transforms, raw, context: TransformContext(country: run.country))
        for note in notes {
            let rule = "note:" + (note.split(separator: ":").first.map(String.init) ?? "transform")
            run.findings.append(
                MappingFinding(
                    .note, rule: rule, field: name(), value: raw, message: note,
                    fix: "check the target field's length or shorten the value at the source"))
        }
        switch result.verdict {
        case .review(let reason), .invalid(let reason):
            let transform = failed?.name ?? "transform"
            run.findings.append(
                MappingFinding(
                    .review, rule: "transform:\(transform)", field: name(), value: raw, message: reason,
                    fix: "correct the value in the source, or add a correction for this customer and field"))
            return nil
        case .ok, .note:
            break
        }
        var value = result.value
        if value.isEmpty { return nil }
        if let tableName = field.valueMap, let table = mapping.valueMaps[tableName] {
            if run.tracing {
                let found = table.lookup(value)
                trace.steps.append(
                    FieldTrace.Step(
                        step: "value map \(tableName)", output: found ?? value,
                        problem: found == nil ? "code not in the table (unknown: \(table.unknown))" : nil))
            }
            if let mapped = table.lookup(value) {
                value = mapped
            } else {
                switch table.unknown {
                case .keep: break
                case .useDefault(let fallback): value = fallback
                case .reject, .review:
                    run.findings.append(
                        MappingFinding(
                            table.unknown == .reject ? .reject : .review, rule: "value_map:\(tableName)", field: name(),
                            value: value, message: "code \"\(value)\" is not in the value map \(tableName)",
                            fix: "add \"\(value)\" to the value map \(tableName) (\(table.file ?? mapping.file))"))
                    return nil
                }
            }
        }
        if kind == .flag && value != "true" && value != "false" {
            run.findings.append(
                MappingFinding(
                    .review, rule: "kind:flag", field: name(), value: value,
                    message: "\"\(value)\" is not a yes/no flag after mapping",
                    fix: "map it to true or false in a value map"))
            return nil
        }
        trace.value = value.isEmpty ? nil : value
        return value.isEmpty ? nil : value
    }

    private func evaluate(_ spec: SectionMapping, scope: Scope, path: String, run: Run) -> [String: String] {
        var result: [String: String] = [:]
        for plan in plans[spec.location] ?? [] {
            if let value = value(of: plan, path: path, scope: scope, run: run) { result[plan.name] = value }
        }
        return result
    }

    /// The elements of one list: one per source element (`each`) or one from the scope itself.
    private func elements(
        _ specs: [SectionMapping], scope: Scope, path: String, run: Run, firstIndex: Int = 0
    ) -> [[String: String]] {
        var result: [[String: String]] = []
        for spec in specs {
            let scopes: [Scope]
            if let each = spec.each {
                scopes = (scope.record[each]?.records ?? []).map { Scope(record: $0, top: scope.top) }
            } else {
                scopes = [scope]
            }
            for elementScope in scopes {
                let label = "\(path)[\(firstIndex + result.count)]"
                let fields = evaluate(spec, scope: elementScope, path: label, run: run)
                let fieldPlans = plans[spec.location] ?? []
                if !fieldPlans.contains(where: { !$0.isConstant && fields[$0.name] != nil }) { continue }
                if let missing = CanonicalCatalog.identifying[spec.section]?.first(where: { fields[$0] == nil }) {
                    run.findings.append(
                        MappingFinding(
                            .review, rule: "list:\(spec.section.rawValue)", field: "\(label).\(missing)", value: nil,
                            message: "a \(spec.section.rawValue) element has no \(missing) and is left out",
                            fix: "fill \(missing) in the source"))
                    continue
                }
                for plan in fieldPlans { if let value = fields[plan.name] { run.values.add(plan.canonicalPath, value) } }
                result.append(fields)
            }
        }
        return result
    }

    private func salesAreas(_ specs: [SectionMapping], scope: Scope, run: Run) -> [SalesArea] {
        var areas: [SalesArea] = []
        for spec in specs {
            let scopes: [Scope] =
                spec.each.map { each in (scope.record[each]?.records ?? []).map { Scope(record: $0, top: scope.top) } }
                ?? [scope]
            for elementScope in scopes {
                let single = SectionMapping(
                    section: .salesAreas, each: nil, fields: spec.fields, lists: [], location: spec.location)
                guard
                    let fields = elements(
                        [single], scope: elementScope, path: "sales_areas", run: run, firstIndex: areas.count
                    ).first,
                    var area = makeSalesArea(fields)
                else { continue }
                for (_, partnerSpecs) in spec.lists {
                    area.partners += elements(partnerSpecs, scope: elementScope, path: "sales_areas.partners", run: run)
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
                areas.append(area)
            }
        }
        return areas
    }

}
