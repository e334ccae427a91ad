import AsyncAlgorithms

/// A stage's read → work → write loop, the three steps at once on child tasks of one task group:
/// piece k+1 is read while piece k is worked on and piece k-1 written. Pieces are written in the
/// order read, and at most one waits between two steps (the channels are rendezvous channels: a step
/// that is ahead waits for the next to take its piece), so memory holds about three pieces.
///
/// The first error of any step ends the pipeline and is thrown; the other steps are cancelled at their
/// next piece. A write that throws (Ctrl-C after a committed chunk) is how a stage stops at a safe
/// point: what was written stays written, what was read after it is dropped.
enum ChunkPipeline {
    /// `read` returns nil after the last piece. `read` and `write` are each called from one task, one
    /// call at a time and in order, so they may keep state of their own (a reader, a ledger writer);
    /// `work` is called for one piece at a time too and may fan out (see ``ParallelWork``).
    static func run<Piece: Sendable, Result: Sendable>(
        read: sending @escaping () throws -> Piece?,
        work: @escaping @Sendable (Piece) async throws -> Result,
        write: sending @escaping (Result) throws -> Void
    ) async throws {
        // Each step is handed to its task through a Mutex, so that the compiler checks the handover;
        // the lock is taken once a piece, by that task only.
        let read = Handed<() async throws -> Piece?>(read)
        let write = Handed(write)
        let pieces = AsyncThrowingChannel<Piece, any Error>()
        let results = AsyncThrowingChannel<Result, any Error>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pieces.send(readingFrom: read) }
            group.addTask {
                do {
                    for try await piece in pieces {
                        await results.send(try await work(piece))
                    }
                    results.finish()
                } catch {
                    results.fail(error)
                }
            }
            group.addTask {
                for try await result in results {
                    try write.use { try $0(result) }
                }
                // Cancelled from outside (not by a failed step): the results stop short, not done.
                try Task.checkCancellation()
            }
            // `next()`, not `waitForAll()`: the first failure leaves the body at once, which cancels the
            // other steps (a step waiting to hand a piece to a failed one would wait for ever).
            while try await group.next() != nil {}
        }
    }
}
