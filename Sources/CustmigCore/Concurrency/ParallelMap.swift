import Dispatch
import Foundation

/// `indices.map(transform)` on every core, results in input order: for pure, CPU-bound work per item
/// (decoding records, hashing images, scoring pairs), where the order of the results must not depend
/// on scheduling. Fewer than `parallelFrom` items (small work each) are mapped on the calling thread;
/// few large items (a connection's share of a read each) pass a small `parallelFrom`.
enum ParallelMap {
    static func map<T: Sendable>(
        _ indices: Range<Int>, parallelFrom: Int = 65, _ transform: @Sendable (Int) -> T
    ) -> [T] {
        let count = indices.count
        guard count >= max(2, parallelFrom) else { return indices.map(transform) }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, count))
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = DisjointBuffer(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                // Worker w fills indices w, w + workers, …: each index has one writer.
                var index = worker
                while index < count {
                    slots.set(index, transform(indices.lowerBound + index))
                    index += workers
                }
            }
        }
        return results.map { $0! }
    }
}
