import Yams

/// Reads the `customer:` section and its lists into ``SectionMapping``s, checking every canonical field
/// name against ``CanonicalCatalog`` and every field's transforms against its kind.
struct SectionReader {
    let reader: YAMLReader
    let valueMapNames: Set<String>
    static let listSections: [String: CanonicalSection] = [
        "addresses": .addresses, "contacts": .contacts, "sales_areas": .salesAreas, "company_codes": .companyCodes,
        "bank_accounts": .bankAccounts, "partners": .partners,
        "identifiers": .identifiers,
    ]

    func read(_ node: Node, section: CanonicalSection, path: String) -> SectionMapping {
        let known = CanonicalCatalog.fields[section] ?? [:]
        let lists = Self.listSections.filter { $0.value.parent == section }
        var allowed = Array(known.keys) + Array(lists.keys)
        if section != .customer { allowed += ["each", "where"] }
        var mapping = SectionMapping(
            section: section, each: nil, fields: [:], lists: [], location: reader.location(node))
        for pair in reader.pairs(node, allowed: allowed, context: path) {
            if pair.key == "each" {
                mapping.each = reader.string(pair.value, context: "each in \(path)")
            } else if pair.key == "where" {
                for condition in reader.pairs(pair.value, allowed: nil, context: "where in \(path)") {
                    guard let field = reader.string(condition.value, context: "where \(condition.key) in \(path)")
                    else { continue }
                    mapping.matching.append((condition.key, field))
                }
            } else if let list = lists[pair.key] {
                guard case .sequence(let elements) = pair.value else {
                    reader.problem(
                        pair.value, "MAP-SHAPE", "\(path).\(pair.key) must be a list of element mappings.",
                        fix: "write it as a list: \(pair.key): [ {…} ].")
                    continue
                }
                let mappings = elements.enumerated().map { index, element in
                    read(element, section: list, path: "\(path).\(pair.key)[\(index)]")
                }
                mapping.lists.append((list, mappings))
            } else if let kind = known[pair.key] {
                if let field = readField(pair.value, name: "\(path).\(pair.key)", kind: kind) {
                    mapping.fields[pair.key] = field
                }
            }
        }
        if !mapping.matching.isEmpty && mapping.each == nil {
            reader.problem(
                node, "MAP-SHAPE", "\(path) has where: but no each:; where picks among the segments each: names.",
                fix: "add each: SEGMENT (e.g. each: KNVP), or remove where:.")
        }
        for field in CanonicalCatalog.identifying[section] ?? [] where mapping.fields[field] == nil {
            reader.problem(
                node, "MAP-REQUIRED-FIELD",
                "\(path) does not map \(field), which every \(section.rawValue) element needs.",
                fix: "add \(field): SOURCE_FIELD (or {constant: …}).")
        }
        return mapping
    }

    /// `NAME1`, or `{from: NAME1, transforms: […], map: table, default: x}`, or `{constant: x}`,
    /// `{concat: [A, B], separator: " "}`, `{split: {from: A, separator: ",", part: 0}}`.
    func readField(_ node: Node, name: String, kind: CanonicalKind) -> FieldMapping? {
        if case .scalar(let scalar) = node {
            return check(
                FieldMapping(
                    source: .field(scalar.string), transforms: [], valueMap: nil, defaultValue: nil,
                    location: reader.location(node)), name: name, kind: kind, node: node)
        }
        let allowed = ["from", "constant", "concat", "separator", "split", "transforms", "map", "default"]
        var source: ValueSource?
        var transforms: [Transform] = []
        var valueMap: String?
        var defaultValue: String?
        var separator = " "
        var concatParts: [String]?
        for pair in reader.pairs(node, allowed: allowed, context: name) {
            switch pair.key {
            case "from": source = reader.string(pair.value, context: "from in \(name)").map { .field($0) }
            case "constant": source = reader.string(pair.value, context: "constant in \(name)").map { .constant($0) }
            case "concat": concatParts = reader.strings(pair.value, context: "concat in \(name)")
            case "separator": separator = reader.string(pair.value, context: "separator in \(name)") ?? " "
            case "split": source = readSplit(pair.value, name: name)
            case "transforms": transforms = TransformReader(reader: reader).read(pair.value, field: name)
            case "map":
                valueMap = reader.string(pair.value, context: "map in \(name)")
                if let table = valueMap, !valueMapNames.contains(table) {
                    reader.problem(
                        pair.value, "MAP-VALUE-MAP", "\(name) uses the value map \"\(table)\", which is not declared.",
                        fix: Suggestion.fix(for: table, in: Array(valueMapNames), what: "value maps declared"))
                }
            case "default": defaultValue = reader.string(pair.value, context: "default in \(name)")
            default: break
            }
        }
        if let concatParts { source = .concat(concatParts.map { .field($0) }, separator: separator) }
        guard let source else {
            reader.problem(
                node, "MAP-SOURCE", "\(name) says neither where its value comes from nor a constant.",
                fix: "add from: SOURCE_FIELD, constant: …, concat: […] or split: {…}.")
            return nil
        }
        return check(
            FieldMapping(
                source: source, transforms: transforms, valueMap: valueMap, defaultValue: defaultValue,
                location: reader.location(node)), name: name, kind: kind, node: node)
    }

    private func readSplit(_ node: Node, name: String) -> ValueSource? {
        var from: String?
        var separator = ","
        var part = 0
        for pair in reader.pairs(node, allowed: ["from", "separator", "part"], context: "split in \(name)") {
            switch pair.key {
            case "from": from = reader.string(pair.value, context: "from")
            case "separator": separator = reader.string(pair.value, context: "separator") ?? ","
            default: part = reader.int(pair.value, context: "part", in: 0...1_000) ?? 0
            }
        }
        guard let from else {
            reader.problem(node, "MAP-SOURCE", "split in \(name) needs from: SOURCE_FIELD.")
            return nil
        }
        return .split(.field(from), separator: separator, part: part)
    }

    /// A field whose kind has a canonical form must get it from its transforms or a value map.
    private func check(_ field: FieldMapping, name: String, kind: CanonicalKind, node: Node) -> FieldMapping {
        let produced = TransformReader.producedKind(field.transforms)
        if let produced, produced != kind {
            reader.problem(
                node, "MAP-TYPE-MISMATCH",
                "\(name) is \(Self.withArticle(kind.rawValue)) field but its transforms produce \(Self.withArticle(produced.rawValue)).",
                fix: kind.producingTransform.map { "use the \($0) transform." }
                    ?? "remove the \(produced.rawValue) transform.")
        } else if produced == nil, field.valueMap == nil, let needed = kind.producingTransform {
            if case .constant = field.source { return field }
            reader.problem(
                node, "MAP-TYPE-MISMATCH",
                "\(name) is \(Self.withArticle(kind.rawValue)) field; without the \(needed) transform or a value map its values are not checked.",
                fix: "add \(needed) to its transforms.")
        }
        return field
    }

    /// "an email", "a country".
    private static func withArticle(_ word: String) -> String {
        (word.first.map { "aeiou".contains($0) } == true ? "an " : "a ") + word
    }
}
