/// The mapped values of one record by canonical path (`name1`, `addresses.country`,
/// `sales_areas.partners.role`), each with every value it has (one per list element): what rules read.
/// Kept as two flat arrays: a record has a few dozen values and the rules read a handful of paths,
/// so a scan costs less than hashing every path on the way in.
struct CanonicalValues {
    private var paths: [String] = []
    private var values: [String] = []

    init() {
        paths.reserveCapacity(48)
        values.reserveCapacity(48)
    }

    mutating func add(_ path: String, _ value: String) {
        paths.append(path)
        values.append(value)
    }

    func all(_ path: String) -> [String] {
        var found: [String] = []
        for index in paths.indices where paths[index] == path { found.append(values[index]) }
        return found
    }

    func first(_ path: String) -> String? {
        for index in paths.indices where paths[index] == path { return values[index] }
        return nil
    }
}
