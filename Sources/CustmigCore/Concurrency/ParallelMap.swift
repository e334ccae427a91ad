import Dispatch
import Foundation

/// `indices.map(transform)` on every core, results in input order: for pure, CPU-bound work per item
/// (decoding records, hashing images, scoring pairs), where the order of the results must not depend
/// on scheduling.
enum ParallelMap {
    static func map<T>(_ indices: Range<Int>, _ transform: (Int) -> T) -> [T] {
        let count = indices.count
        guard count > 64 else { return indices.map(transform) }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var index = worker
                while index < count {
                    (base + index).pointee = transform(indices.lowerBound + index)
                    index += workers
                }
            }
        }
        return results.map { $0! }
    }
}
