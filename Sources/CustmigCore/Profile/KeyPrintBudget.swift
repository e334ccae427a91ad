/// The memory one profiling worker's exact key checks may take. A key-like field keeps 8 bytes per row
/// (``FieldStatistics``), so 500 columns of unique values over 1M rows would keep 4 GB. Checked after each
/// batch: past the budget, the fields with the most fingerprints give theirs up, largest first, until the
/// rest fit; their distinct counts are then estimated and the report says which fields lost the check.
struct KeyPrintBudget: Sendable {
    /// 448 MB of fingerprint lists across the workers (their capacity, which doubles as they grow): the
    /// 5M-row sample extract's six key columns hold ~400 MB.
    static let totalPrints = 56 << 20
    let prints: Int

    init(workers: Int, totalPrints: Int = KeyPrintBudget.totalPrints) {
        prints = totalPrints / max(workers, 1)
    }

    func enforce(on fields: inout [FieldStatistics]) {
        var total = 0
        for index in fields.indices { total += fields[index].keyPrintCapacity }
        guard total > prints else { return }
        let largestFirst = fields.indices.filter { fields[$0].keyPrintCapacity > 0 }.sorted { first, second in
            let (a, b) = (fields[first].keyPrintCapacity, fields[second].keyPrintCapacity)
            return a != b ? a > b : first < second
        }
        for index in largestFirst where total > prints {
            total -= fields[index].keyPrintCapacity
            fields[index].dropKeyPrints()
        }
    }
}
