/// Profiles ``XMLFieldBatch``es: one ``FieldStatistics`` per field path id, on raw bytes.
/// Paths from `limit` on are not profiled (see ``ProfileOptions/fieldLimit``).
/// Sendable by hand: each profiling worker has an accumulator of its own, and the profiler merges
/// them only after ``RoundRobinWorkers`` has waited for every worker; for the same reason `fields`
/// skips the runtime's exclusivity checks (one thread, one batch at a time).
final class XMLPathAccumulator: @unchecked Sendable {
    @exclusivity(unchecked) private(set) var fields: [FieldStatistics] = []
    let limit: Int
    private let budget: KeyPrintBudget

    init(limit: Int, budget: KeyPrintBudget) {
        self.limit = limit
        self.budget = budget
    }

    func add(_ batch: XMLFieldBatch) {
        let limit = self.limit
        // Grown first, so the loop below works in one buffer instead of the array (no uniqueness
        // check and no bounds-checked copy-on-write access per value).
        var highest = -1
        for path in batch.path where Int(path) < limit { highest = max(highest, Int(path)) }
        if fields.count <= highest { grow(to: highest + 1) }
        batch.bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
            batch.path.withUnsafeBufferPointer { paths in
                batch.start.withUnsafeBufferPointer { starts in
                    batch.end.withUnsafeBufferPointer { ends in
                        fields.withUnsafeMutableBufferPointer { fields in
                            for index in 0..<paths.count {
                                let path = Int(paths[index])
                                guard path < limit else { continue }
                                let start = Int(starts[index])
                                fields[path].add(base + start, Int(ends[index]) - start)
                            }
                        }
                    }
                }
            }
        }
        budget.enforce(on: &fields)
    }

    /// Adds the paths met for the first time. Past 200 paths each gets a share of the worker's budget, as a
    /// CSV's columns do (``FieldStatistics/Limits/forFields(_:)``), and the paths before them are lowered
    /// to it: 1,500 paths of unique values over 6,000 records (263 MB) took 2.9 GB with the defaults.
    private func grow(to count: Int) {
        let limits = FieldStatistics.Limits.forFields(count)
        // Up to 200 paths these are the defaults, and lowering to them changes nothing.
        for index in fields.indices { fields[index].lower(to: limits) }
        while fields.count < count { fields.append(FieldStatistics(name: "", limits: limits)) }
    }

    func merge(_ other: XMLPathAccumulator) {
        while fields.count < other.fields.count { fields.append(FieldStatistics(name: "")) }
        for index in other.fields.indices { fields[index].merge(other.fields[index]) }
    }

    /// Names the fields once parsing is over (the parser thread owns the path table until then).
    func name(with paths: [String]) {
        for index in fields.indices where index < paths.count { fields[index].name = paths[index] }
    }
}
