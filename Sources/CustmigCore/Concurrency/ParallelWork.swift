import Foundation
import Synchronization

/// CPU-bound work split between child tasks of a task group, one per core: each child runs synchronous
/// code on its share, and the results come back in input order whatever the scheduling.
enum ParallelWork {
    /// Children to use for `count` items: one per core (at most `limit`), never more than items.
    static func workers(for count: Int, limit: Int = 8) -> Int {
        max(1, min(ProcessInfo.processInfo.activeProcessorCount, limit, count))
    }

    /// `indices.map(transform)` on child tasks, for pure work per item (decoding records, scoring pairs).
    /// Fewer than `parallelFrom` items (small work each) are mapped on this task; few large items (a
    /// connection's share of a read each) pass a small `parallelFrom`.
    static func map<T: Sendable>(
        _ indices: Range<Int>, parallelFrom: Int = 65, _ transform: @escaping @Sendable (Int) -> T
    ) async -> [T] {
        let count = indices.count
        guard count >= max(2, parallelFrom) else { return indices.map(transform) }
        let workers = workers(for: count)
        // Batches small enough that a child slowed by another step still leaves the others work.
        let batch = max(1, count / (workers * 8))
        let start = indices.lowerBound
        return await map(count: count, batch: batch, workers: workers) { index, _ in transform(start + index) }
    }

    /// `transform(index, worker)` for every index of `0..<count`, in batches of `batch` handed out in
    /// turn (a child slowed by another step of the stage takes fewer), each result built in its place.
    /// `worker` is the child's number (below `workers`): state a child owns is indexed by it.
    static func map<T: Sendable>(
        count: Int, batch: Int, workers: Int, _ transform: @escaping @Sendable (_ index: Int, _ worker: Int) -> T
    ) async -> [T] {
        guard workers > 1, count > batch else { return (0..<count).map { transform($0, 0) } }
        let batches = (count + batch - 1) / batch
        let taken = SharedCounter()
        let storage = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
        // Each batch is taken by one child, so each place has one writer; the group ends before the
        // storage is read (see ``DisjointBuffer``).
        let slots = DisjointBuffer(buffer: storage)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<min(workers, batches) {
                group.addTask {
                    while true {
                        let next = taken.next()
                        guard next < batches else { return }
                        for index in (next * batch)..<min(count, (next + 1) * batch) {
                            slots.initialize(index, to: transform(index, worker))
                        }
                    }
                }
            }
        }
        defer { storage.deallocate() }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: storage.baseAddress!, count: count)
            initialized = count
        }
    }
}

/// A count the children of one task group add to (batches taken, pieces finished): an `Atomic` that
/// escaping closures can share.
final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds one and returns the count before.
    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}
