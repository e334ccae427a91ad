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
    private enum SequenceSource {
        case control(String)
        case field(String)
    }

    private let sequenceSource: SequenceSource?

    /// A rule held by reference, so that checking it does not copy it.
    final class RuleEntry {
        let rule: MappingRule
        init(_ rule: MappingRule) { self.rule = rule }
    }

    /// The mapping's rules, in order.
    let rules: [RuleEntry]

    /// The customer section, compiled for this engine (each engine has its own: plans remember things).
    private let plan: SectionPlan

    /// The record a field is read from, and the whole record (its control fields, joined segments).
    struct Scope {
        let record: Record
        let top: Record
    }

    /// One record's mapping state, on the task mapping it only (no exclusivity checks: see ``SectionPlan``).
    final class Run {
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
            addresses = elements(addressPlans, scope: scope, list: "addresses", run: run, makeAddress)
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
        if let key = fields[.key] {
            // Built in place: a local customer assigned to the optional one was copied whole.
            customer = CanonicalCustomer(key: key, legacyKey: fields[.legacyKey] ?? key)
            apply(fields, to: &customer!)
            customer!.addresses = addresses
            for (section, plans) in plan.lists where section != .addresses {
                let list = section.rawValue
                switch section {
                case .contacts: customer!.contacts = elements(plans, scope: scope, list: list, run: run, makeContact)
                case .salesAreas: customer!.salesAreas = salesAreas(plans, scope: scope, run: run)
                case .companyCodes:
                    customer!.companyCodes = elements(plans, scope: scope, list: list, run: run, makeCompanyCode)
                case .bankAccounts:
                    customer!.bankAccounts = elements(plans, scope: scope, list: list, run: run, makeBankAccount)
                case .identifiers:
                    customer!.identifiers = elements(plans, scope: scope, list: list, run: run, makeIdentifier)
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

    /// The record's `same_key: highest:FIELD` value, nil when the policy has none.
    func sequence(of record: Record) -> String? {
        switch sequenceSource {
        case nil: return nil
        case .control(let name):
            return record.control.withUnsafeBufferPointer { fields in fields.first { $0.name == name }?.value.text }
        case .field(let path): return record.text(atPath: path)
        }
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

    private func evaluate(_ section: SectionPlan, scope: Scope, path: ElementPath, run: Run) -> FieldValues {
        var result = FieldValues(section)
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

    /// The elements of one list, each made from its values by `make` as soon as it is mapped (an array of
    /// values per list, then one of elements, was two allocations per list and record), numbered in
    /// finding labels by the elements with values, whether or not `make` keeps them.
    private func elements<Element>(
        _ sections: [SectionPlan], scope: Scope, list: String, run: Run, _ make: (FieldValues) -> Element?
    ) -> [Element] {
        var result: [Element] = []
        var mapped = 0
        for section in sections {
            forEachScope(section, in: scope) { elementScope in
                let path = ElementPath(list: list, index: mapped)
                guard let fields = element(section, scope: elementScope, path: path, run: run) else { return }
                mapped += 1
                if let made = make(fields) { result.append(made) }
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
                    // A role's finding follows the partner elements' own findings (as when the partners
                    // were made after all of them were mapped).
                    var roleFindings: [MappingFinding] = []
                    let partners = elements(
                        partnerSections, scope: elementScope, list: "sales_areas.partners", run: run
                    ) { fields -> PartnerFunction? in
                        guard let roleName = fields[.role], let customer = fields[.customer] else { return nil }
                        guard let role = PartnerFunction.Role(rawValue: roleName) else {
                            roleFindings.append(
                                MappingFinding(
                                    .review, rule: "list:partners", field: "sales_areas.partners.role", value: roleName,
                                    message: "\"\(roleName)\" is not a partner role (sold_to, ship_to, bill_to, payer)",
                                    fix: "map the legacy role in a value map"))
                            return nil
                        }
                        return PartnerFunction(role: role, customerKey: customer)
                    }
                    run.findings += roleFindings
                    if area.partners.isEmpty { area.partners = partners } else { area.partners += partners }
                }
                areas.append(area)
            }
        }
        return areas
    }
}
