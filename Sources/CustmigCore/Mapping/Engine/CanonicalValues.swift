/// The mapped values of one record by canonical path (`name1`, `addresses.country`,
/// `sales_areas.partners.role`), each with every value it has (one per list element): what rules read.
/// Only the paths some rule reads are kept (``FieldPlan/readByRules``), in flat arrays: a record has a
/// handful of them, so a scan costs less than hashing every path on the way in.
struct CanonicalValues {
    private var paths: [String] = []
    /// Each path's UTF-8 length: most paths differ from the one looked for in length, a cheaper test
    /// than comparing the strings.
    private var lengths: [Int] = []
    private var values: [String] = []

    mutating func add(_ path: String, _ value: String) {
        paths.append(path)
        lengths.append(path.utf8.count)
        values.append(value)
    }

    func all(_ path: String) -> [String] {
        let length = path.utf8.count
        var found: [String] = []
        for index in paths.indices where lengths[index] == length && paths[index] == path {
            found.append(values[index])
        }
        return found
    }

    func first(_ path: String) -> String? {
        let length = path.utf8.count
        for index in paths.indices where lengths[index] == length && paths[index] == path { return values[index] }
        return nil
    }
}
