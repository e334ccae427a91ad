import Foundation

/// Reads the next batch of a plan on a second thread while the current one is applied: decoding a
/// batch's images from the ledger is a third of a cutover's work and needs no target lock.
final class BatchPrefetch: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [Int: Result<[TargetAction], Error>] = [:]
    private let queue = DispatchQueue(label: "custmig.cutover.prefetch")
    private let load: @Sendable (Int) throws -> [TargetAction]

    init(load: @escaping @Sendable (Int) throws -> [TargetAction]) { self.load = load }

    /// Starts reading `batch` in the background.
    func request(_ batch: Int) {
        condition.lock()
        requested.insert(batch)
        condition.unlock()
        queue.async {
            let result = Result { try self.load(batch) }
            self.condition.lock()
            self.results[batch] = result
            self.condition.broadcast()
            self.condition.unlock()
        }
    }

    /// The actions of `batch`, waiting for a background read (started now if it was not requested).
    func take(_ batch: Int) throws -> [TargetAction] {
        condition.lock()
        defer { condition.unlock() }
        if results[batch] == nil, !requested.contains(batch) {
            condition.unlock()
            request(batch)
            condition.lock()
        }
        while results[batch] == nil { condition.wait() }
        requested.remove(batch)
        return try results.removeValue(forKey: batch)!.get()
    }

    private var requested = Set<Int>()
}
