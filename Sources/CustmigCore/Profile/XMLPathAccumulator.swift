/// Profiles ``XMLFieldBatch``es: one ``FieldStatistics`` per field path id, on raw bytes.
/// Paths from `limit` on are not profiled (see ``ProfileOptions/fieldLimit``).
/// Sendable by hand: each profiling worker has an accumulator of its own, and the profiler merges
/// them only after ``WorkerPool/finish()`` has waited for every worker.
final class XMLPathAccumulator: @unchecked Sendable {
    private(set) var fields: [FieldStatistics] = []
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func add(_ batch: XMLFieldBatch) {
        batch.bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
            for index in 0..<batch.path.count {
                let path = Int(batch.path[index])
                guard path < limit else { continue }
                while fields.count <= path { fields.append(FieldStatistics(name: "")) }
                let start = Int(batch.start[index])
                fields[path].add(base + start, Int(batch.end[index]) - start)
            }
        }
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
