/// One value per worker of a `concurrentPerform`, each used only by the worker with its index: the
/// mapping engines of a chunk, whose memos change as they map. Sendable by hand because:
/// - `concurrentPerform` runs each iteration index on one thread, and worker `w` touches only
///   `values[w]`, so no value is used by two threads at once;
/// - the values are created before the workers start and used by the caller only after they end.
struct PerWorker<Value>: @unchecked Sendable {
    private let values: [Value]

    init(_ values: [Value]) { self.values = values }

    var count: Int { values.count }

    subscript(_ worker: Int) -> Value { values[worker] }
}
