/// A mapping compiled once per engine: each section's fields in a fixed order with everything a record
/// needs resolved in advance (kind, canonical path, value map), so mapping a record walks arrays
/// instead of looking names up in dictionaries.
///
/// Plans belong to one engine, which one task uses at a time (``MapStage`` gives each mapping task an
/// engine of its own), so the properties a record updates skip the runtime's exclusivity checks
/// (with the engine's per-record state: ~6% of mapping a DEBMAS07 record, ~2% of a flat CSV's).
final class SectionPlan {
    let section: CanonicalSection
    /// The source list each element comes from; nil makes one element from the enclosing record.
    let each: String?
    /// `where:` pairs (segment field, enclosing element's field) that pick this element's segments.
    let matching: [(segmentField: String, elementField: String)]
    let fields: [FieldPlan]
    /// Where each ``CanonicalName`` sits among ``fields`` (-1: the section does not map it).
    let slots: [Int]
    let lists: [(section: CanonicalSection, plans: [SectionPlan])]
    /// Indices of the fields an element cannot do without (a sales area's organization, channel, division).
    let identifying: [Int]
    /// Whether any record mapped so far had a segment at `each`.
    @exclusivity(unchecked) var seen = false

    init(_ spec: SectionMapping, valueMaps: [String: ValueMap]) {
        section = spec.section
        each = spec.each
        matching = spec.matching
        fields = spec.fields.sorted { $0.key < $1.key }.map {
            FieldPlan(name: $0.key, field: $0.value, section: spec.section, valueMaps: valueMaps)
        }
        let names = fields.map(\.name)
        slots = CanonicalName.slots(in: names)
        lists = spec.lists.map { list in (list.section, list.mappings.map { SectionPlan($0, valueMaps: valueMaps) }) }
        identifying = (CanonicalCatalog.identifying[spec.section] ?? []).map { names.firstIndex(of: $0) ?? -1 }
    }

    /// The same section without its lists (a sales area's own fields, before its partners).
    private init(fieldsOf plan: SectionPlan) {
        section = plan.section
        each = nil
        matching = []
        fields = plan.fields
        slots = plan.slots
        lists = []
        identifying = plan.identifying
    }

    lazy var withoutLists = SectionPlan(fieldsOf: self)

    /// Marks the fields whose values a rule reads (by canonical path), here and in every list section:
    /// only those are gathered for the rules.
    func markReadByRules(_ paths: Set<String>) {
        for field in fields { field.readByRules = paths.contains(field.canonicalPath) }
        for (_, plans) in lists {
            for plan in plans { plan.markReadByRules(paths) }
        }
    }

    /// The plans of one list section, if the mapping has it.
    func list(_ section: CanonicalSection) -> [SectionPlan]? { lists.first { $0.section == section }?.plans }
}

/// A field of a section, prepared once: its name, kind, canonical path, value map, and where its source
/// field was last found in a record (records of one extract have their fields in the same order).
final class FieldPlan {
    let name: String
    let field: FieldMapping
    let kind: CanonicalKind
    let canonicalPath: String
    let isConstant: Bool
    /// The source is a `/`-separated path (`Addresses/Address/Street`), read with ``Record/text(atPath:)``.
    let isPath: Bool
    let valueMap: ValueMap?
    /// The customer's category (a code with a fixed set of values), checked by name once.
    let isCategory: Bool
    @exclusivity(unchecked) var slot = -1
    /// The record's own string for the source field's name, once found: comparing with it is a pointer
    /// check instead of a character comparison, for every field of every record.
    @exclusivity(unchecked) var slotName = ""
    /// Whether a rule reads this field's canonical path (``SectionPlan/markReadByRules(_:)``).
    var readByRules = false
    /// Whether any record mapped so far had the source field (only tracked for plain `from:` fields).
    @exclusivity(unchecked) var seen = false
    /// The source field whose presence ``seen`` tracks, nil for constants, concatenations and control fields.
    var trackedSource: String? { plainSource }
    /// The source field's name when the source is a plain field (not a constant, concatenation, split
    /// or control field), worked out once rather than for every record.
    let plainSource: String?
    /// The transforms when each always maps its value and never notes anything (`trim`, `upper`, `lower`,
    /// `collapse_spaces`, and `truncate` of a value that fits) and there is no value map: nil otherwise.
    /// Such fields skip the transform chain and the outcome memo (``plainValue(of:)``).
    let plainSteps: [Transform]?

    /// What a field's transforms and value map make of one raw value: a pure function of the value
    /// (and the record's country for phones and VAT ids), so it is remembered per distinct value.
    /// A class: a remembered outcome is handed out for every record with that value, and copying a
    /// struct of it retained each of its strings and lists each time.
    final class Outcome {
        let result: TransformResult
        let notes: [String]
        let failed: Transform?
        /// The value map's target code; nil when the transforms failed, there is no map or it lacks the code.
        let mapped: String?

        init(result: TransformResult, notes: [String], failed: Transform?, mapped: String?) {
            self.result = result
            self.notes = notes
            self.failed = failed
            self.mapped = mapped
        }
    }

    private struct MemoKey: Hashable {
        let raw: String
        let country: String?
    }

    /// Remembered outcomes, for fields whose transforms cost more than a hash lookup. A field whose
    /// values rarely repeat (names, keys, IBANs) stops remembering after a trial: most legacy columns
    /// (codes, countries, cities, dates) repeat a lot, the rest would only fill memory.
    @exclusivity(unchecked) private var memo: [MemoKey: Outcome] = [:]
    @exclusivity(unchecked) private var memoizing: Bool
    @exclusivity(unchecked) private var lookups = 0
    @exclusivity(unchecked) private var hits = 0
    private let contextual: Bool
    static let memoTrial = 4096
    static let memoCapacity = 16384

    init(name: String, field: FieldMapping, section: CanonicalSection, valueMaps: [String: ValueMap]) {
        self.name = name
        self.field = field
        if case .field(let source) = field.source, !source.hasPrefix("control.") {
            plainSource = source
        } else {
            plainSource = nil
        }
        kind = CanonicalCatalog.kind(of: name, in: section) ?? .text
        switch section {
        case .customer: canonicalPath = name
        case .partners: canonicalPath = "sales_areas.partners." + name
        default: canonicalPath = section.rawValue + "." + name
        }
        if case .constant = field.source { isConstant = true } else { isConstant = false }
        if case .field(let name) = field.source { isPath = name.contains("/") } else { isPath = false }
        valueMap = field.valueMap.flatMap { valueMaps[$0] }
        isCategory = name == "category"
        contextual = field.transforms.contains { $0 == .phone || $0 == .vatId }
        let cheap = field.transforms.allSatisfy { transform in
            switch transform {
            case .trim, .collapseSpaces, .truncate: return true
            default: return false
            }
        }
        memoizing = !cheap || valueMap != nil
        let plain = field.transforms.allSatisfy { transform in
            switch transform {
            case .trim, .upper, .lower, .collapseSpaces, .truncate: return true
            default: return false
            }
        }
        plainSteps = plain && valueMap == nil ? field.transforms : nil
    }

    /// What ``plainSteps`` make of a raw value, or nil when a `truncate` would cut it: cutting notes
    /// the change, which only the transform chain records.
    func plainValue(of raw: String) -> String? {
        guard let steps = plainSteps else { return nil }
        var value = raw
        for step in steps {
            if case .truncate(let length) = step {
                guard value.utf8.count <= length else { return nil }
                continue
            }
            value = step.apply(value).value
        }
        return value
    }

    /// The outcome for a raw value (after the default), remembered while remembering pays.
    func outcome(of raw: String, context: TransformContext) -> Outcome {
        guard memoizing else { return compute(raw, context: context) }
        let key = MemoKey(raw: raw, country: contextual ? context.country : nil)
        lookups += 1
        if let known = memo[key] {
            hits += 1
            return known
        }
        let computed = compute(raw, context: context)
        if memo.count < Self.memoCapacity { memo[key] = computed }
        if lookups == Self.memoTrial && hits * 2 < lookups {
            memoizing = false
            memo = [:]
        }
        return computed
    }

    private func compute(_ raw: String, context: TransformContext) -> Outcome {
        let (result, notes, failed) = Transform.chain(field.transforms, raw, context: context)
        var mapped: String?
        if result.isMapped, !result.value.isEmpty, let valueMap { mapped = valueMap.lookup(result.value) }
        return Outcome(result: result, notes: notes, failed: failed, mapped: mapped)
    }
}

/// The mapped values of one section element, aligned with its plan's fields.
struct FieldValues {
    /// The plan's ``SectionPlan/slots``.
    let slots: [Int]
    var values: [String?]

    init(_ section: SectionPlan) {
        slots = section.slots
        values = [String?](repeating: nil, count: section.fields.count)
    }

    subscript(name: CanonicalName) -> String? {
        let index = slots[name.rawValue]
        return index < 0 ? nil : values[index]
    }
}

/// Where an element sits in the canonical customer (`addresses[0]`), turned into a label
/// (`addresses[0].country`) only when a finding or a trace needs one.
struct ElementPath {
    let list: String?
    let index: Int

    static let customer = ElementPath(list: nil, index: 0)

    var label: String {
        guard let list else { return "" }
        return list + "[" + String(index) + "]"
    }

    func label(_ field: String) -> String {
        guard let list else { return field }
        return list + "[" + String(index) + "]." + field
    }
}
