import Foundation

/// Reads piece N+1 on a second thread while piece N is worked on: the dry run reads the next chunk's
/// canonical records and target fingerprints while it plans the current one. Being replaced by
/// ``ReadAhead`` (the map, the reconciliation and the cutover use it already).
///
/// The reads run on one thread of their own, not on a dispatch queue: a queue hops between worker
/// threads, and each thread allocates from its own malloc arena, so a batch freed in one arena was
/// not reused by the next read in another (at the cutover, peak memory grew by half; on ``ReadAhead``,
/// whose tasks also move between threads, the cutover of 200,000 customers peaks 1-5% higher).
///
/// Sendable by hand: all it holds is its state, whose variables are read and changed only with
/// `condition` locked; values cross from the read-ahead thread to the taker under that lock.
final class Prefetch<Value>: @unchecked Sendable {
    private let state: State

    init(load: @escaping @Sendable (Int) throws -> Value) { state = State(load: load) }

    /// Ends the thread once its work is done (the thread holds the state, not this object).
    deinit { state.close() }

    /// Starts reading `piece` in the background.
    func request(_ piece: Int) {
        state.condition.lock()
        state.requested.insert(piece)
        state.enqueue(.read(piece))
        state.condition.unlock()
    }

    /// Lets the background thread free a value taken and used, after the reads requested before.
    func discard(_ value: consuming Value) {
        state.condition.lock()
        state.enqueue(.free(value))
        state.condition.unlock()
    }

    /// The value of `piece`, waiting for a background read (started now if it was not requested).
    func take(_ piece: Int) throws -> Value {
        let state = state
        state.condition.lock()
        defer { state.condition.unlock() }
        if state.results[piece] == nil, !state.requested.contains(piece) {
            state.requested.insert(piece)
            state.enqueue(.read(piece))
        }
        while state.results[piece] == nil { state.condition.wait() }
        state.requested.remove(piece)
        return try state.results.removeValue(forKey: piece)!.get()
    }

    /// Sendable by hand: see ``Prefetch`` (every variable is guarded by `condition`).
    private final class State: @unchecked Sendable {
        let condition = NSCondition()
        var results: [Int: Result<Value, Error>] = [:]
        var requested = Set<Int>()
        /// Work for the thread, in order: reads, and values to free.
        var work: [Work] = []
        var started = false
        var closed = false
        let load: @Sendable (Int) throws -> Value

        enum Work {
            case read(Int)
            case free(Value)
        }

        init(load: @escaping @Sendable (Int) throws -> Value) { self.load = load }

        /// Called with the lock held.
        func enqueue(_ item: Work) {
            work.append(item)
            if !started {
                started = true
                // Not owned by the thread: a Thread's block is released in its thread-specific data
                // destructors, after libdispatch's own were run, and a value freed then that disposes
                // of a dispatch queue (a database connection the load holds) corrupted the heap. The
                // state is freed here while `serve` runs, or by the owner.
                let thread = Thread { [weak self] in self?.serve() }
                thread.name = "custmig.prefetch"
                thread.start()
            }
            condition.broadcast()
        }

        func close() {
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }

        private func serve() {
            while true {
                condition.lock()
                while work.isEmpty, !closed { condition.wait() }
                if work.isEmpty {
                    condition.unlock()
                    return
                }
                let item = work.removeFirst()
                condition.unlock()
                switch item {
                case .read(let piece):
                    let result = Result { try load(piece) }
                    condition.lock()
                    results[piece] = result
                    condition.broadcast()
                    condition.unlock()
                case .free:
                    break  // `item` goes out of scope here, on this thread.
                }
            }
        }
    }
}
