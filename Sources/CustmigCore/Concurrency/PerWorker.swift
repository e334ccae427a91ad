/// One value per worker of a parallel loop, each used only by the worker with its index: the mapping
/// engines of a chunk, whose memos change as they map (``ParallelWork/map(count:batch:workers:_:)``'s
/// children), Tryton's connections (its `concurrentPerform`). Sendable by hand because:
/// - each worker number is one child task (or one iteration index of `concurrentPerform`), and worker
///   `w` touches only `values[w]`, so no value is used by two tasks at once;
/// - the values are created before the workers start and used by the caller only after they end.
struct PerWorker<Value>: @unchecked Sendable {
    private let values: [Value]

    init(_ values: [Value]) { self.values = values }

    var count: Int { values.count }

    subscript(_ worker: Int) -> Value { values[worker] }
}
