/// Profiles ``Record``s (XML, or any reader) by field path: `NAME1`, `E1KNVVM/VKORG`, `control/DOCNUM`.
///
/// A nested list counts as a field too: its value is the number of segments, so the profile shows
/// how many `E1KNVVM` a customer has.
final class RecordFieldAccumulator {
    private(set) var fields: [FieldStatistics] = []
    /// Whether each field is a top-level field (one per record) or nested.
    private(set) var isTopLevel: [Bool] = []
    private var children: [[String: Int]] = [[:]]
    private var paths: [String] = [""]

    func add(_ record: Record) {
        add(record.fields, parent: 0)
        if !record.control.isEmpty {
            add(record.control, parent: child(of: 0, named: "control", isTopLevel: true, isNode: true))
        }
    }

    private func add(_ recordFields: [Field], parent: Int) {
        for field in recordFields {
            let node = child(of: parent, named: field.name, isTopLevel: parent == 0, isNode: false)
            let slot = statisticsSlot(node, isTopLevel: parent == 0)
            switch field.value {
            case .text(let text):
                fields[slot].add(text)
            case .list(let records):
                fields[slot].isSegmentCount = true
                fields[slot].add(String(records.count))
                for child in records { add(child.fields, parent: node) }
            }
        }
    }

    private var slotOfNode: [Int: Int] = [:]

    private func statisticsSlot(_ node: Int, isTopLevel: Bool) -> Int {
        if let slot = slotOfNode[node] { return slot }
        fields.append(FieldStatistics(name: paths[node]))
        self.isTopLevel.append(isTopLevel)
        slotOfNode[node] = fields.count - 1
        return fields.count - 1
    }

    private func child(of parent: Int, named name: String, isTopLevel: Bool, isNode: Bool) -> Int {
        if let node = children[parent][name] { return node }
        let path = parent == 0 ? name : paths[parent] + "/" + name
        paths.append(path)
        children.append([:])
        children[parent][name] = paths.count - 1
        return paths.count - 1
    }

    /// Merges another worker's fields by path, keeping first-seen order.
    func merge(_ other: RecordFieldAccumulator) {
        var byName: [String: Int] = [:]
        for (index, field) in fields.enumerated() { byName[field.name] = index }
        for (index, field) in other.fields.enumerated() {
            if let mine = byName[field.name] {
                fields[mine].merge(field)
            } else {
                fields.append(field)
                isTopLevel.append(other.isTopLevel[index])
                byName[field.name] = fields.count - 1
            }
        }
    }
}
