import AsyncAlgorithms

/// Pieces dealt in turn to `count` child tasks, each folding them into state of its own: the profiler
/// reads batches on its task and worker N takes batches N, N + count, …, so what each worker saw, and
/// the merged result, does not depend on timing.
///
/// Each worker takes its pieces through a rendezvous channel with `capacity` pieces buffered ahead of
/// it, so a slow worker holds the reader back instead of pieces piling up in memory.
enum RoundRobinWorkers {
    /// `produce` runs on the calling task and hands pieces to `deal`; `consume(worker, piece)` runs on
    /// worker `worker`'s child task, for its pieces in order. Returns once every piece dealt was consumed.
    /// An error of `produce` is thrown after the workers stopped (they consume nothing more).
    static func run<Piece: Sendable>(
        count: Int, capacity: Int,
        consume: @escaping @Sendable (_ worker: Int, Piece) -> Void,
        produce: (_ deal: (Piece) async -> Void) async throws -> Void
    ) async throws {
        let channels = (0..<count).map { _ in AsyncChannel<Piece>() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<count {
                let pieces = channels[worker].buffer(policy: .bounded(max(1, capacity)))
                group.addTask {
                    for await piece in pieces { consume(worker, piece) }
                }
            }
            var next = 0
            do {
                try await produce { piece in
                    await channels[next].send(piece)
                    next = (next + 1) % count
                }
            } catch {
                group.cancelAll()
                for channel in channels { channel.finish() }
                throw error
            }
            for channel in channels { channel.finish() }
            try await group.waitForAll()
        }
    }
}
