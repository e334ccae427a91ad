/// The mapped values of one record by canonical path (`name1`, `addresses.country`,
/// `sales_areas.partners.role`), each with every value it has (one per list element): what rules read.
struct CanonicalValues {
    private(set) var values: [String: [String]] = [:]

    mutating func add(_ path: String, _ value: String) {
        values[path, default: []].append(value)
    }

    func all(_ path: String) -> [String] { values[path] ?? [] }

    func first(_ path: String) -> String? { values[path]?.first }
}
