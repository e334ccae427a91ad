extension Mapping {
    /// Every source field the map of this mapping reads from a primary extract: field sources, lists
    /// (`each:`, `where:`), the key, the `same_key` field, `source.` fields in rules and the fields that
    /// corrections replace (their finding quotes the value replaced). What the reader may leave out is
    /// what none of these names.
    public var readFields: FieldSelection {
        var selection = FieldSelection(record: [])
        func add(_ source: ValueSource) {
            switch source {
            case .field(let name): selection.add(name)
            case .constant: break
            case .concat(let parts, _): parts.forEach(add)
            case .split(let inner, _, _): add(inner)
            }
        }
        func add(_ section: SectionMapping) {
            if let each = section.each { selection.add(each) }
            for pair in section.matching {
                selection.add(pair.segmentField)
                selection.add(pair.elementField)
            }
            for field in section.fields.values { add(field.source) }
            for (_, children) in section.lists { children.forEach(add) }
        }
        add(customer)
        source.key.forEach { selection.add($0) }
        if case .highest(let field) = source.sameKey { selection.add(field) }
        for rule in rules {
            for path in Self.paths(of: rule.kind) where path.hasPrefix("source.") {
                selection.add(String(path.dropFirst(7)))
            }
        }
        for correction in corrections.values.joined() { selection.add(correction.field) }
        return selection
    }

    static func paths(of kind: MappingRule.Kind) -> [String] {
        if let path = kind.fieldPath { return [path] }
        switch kind {
        case .rejectWhen(let condition), .reviewWhen(let condition): return paths(of: condition)
        case .crossField(let when, let then): return paths(of: when) + paths(of: then)
        default: return []
        }
    }

    static func paths(of condition: Condition) -> [String] {
        if let path = condition.leafPath { return [path] }
        switch condition {
        case .all(let items), .any(let items): return items.flatMap(paths(of:))
        case .not(let inner): return paths(of: inner)
        default: return []
        }
    }
}
