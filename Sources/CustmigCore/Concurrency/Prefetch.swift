import Foundation

/// Reads piece N+1 on a second thread while piece N is worked on: the cutover decodes its next batch
/// of the plan while it writes the current one; the dry run reads the next chunk's canonical records
/// and target fingerprints while it plans the current one.
final class Prefetch<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [Int: Result<Value, Error>] = [:]
    private let queue = DispatchQueue(label: "custmig.prefetch")
    private let load: @Sendable (Int) throws -> Value

    init(load: @escaping @Sendable (Int) throws -> Value) { self.load = load }

    /// Starts reading `piece` in the background.
    func request(_ piece: Int) {
        condition.lock()
        requested.insert(piece)
        condition.unlock()
        queue.async {
            let result = Result { try self.load(piece) }
            self.condition.lock()
            self.results[piece] = result
            self.condition.broadcast()
            self.condition.unlock()
        }
    }

    /// The value of `piece`, waiting for a background read (started now if it was not requested).
    func take(_ piece: Int) throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        if results[piece] == nil, !requested.contains(piece) {
            condition.unlock()
            request(piece)
            condition.lock()
        }
        while results[piece] == nil { condition.wait() }
        requested.remove(piece)
        return try results.removeValue(forKey: piece)!.get()
    }

    private var requested = Set<Int>()
}
