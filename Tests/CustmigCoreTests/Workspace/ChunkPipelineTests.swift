import Synchronization
import Testing

@testable import CustmigCore

/// The pipeline every streaming stage runs on: what a stage relies on when it is stopped or fails.
@Suite("chunk pipeline")
struct ChunkPipelineTests {
    struct Stop: Error, Equatable { let at: Int }

    /// A reader of `count` pieces that notes how far it got.
    final class Source {
        var next = 0
        let count: Int
        let failAt: Int?
        init(count: Int, failAt: Int? = nil) {
            self.count = count
            self.failAt = failAt
        }
        func read() throws -> Int? {
            guard next < count else { return nil }
            if next == failAt { throw Stop(at: next) }
            defer { next += 1 }
            return next
        }
    }

    @Test("every piece is worked on and written once, in the order read, whatever the work's timing")
    func order() async throws {
        let source = Source(count: 200)
        let written = Mutex<[Int]>([])
        try await ChunkPipeline.run(
            read: { try source.read() },
            work: { piece in
                // Uneven work: later pieces finish sooner if the steps ran out of order.
                if piece % 7 == 0 { try await Task.sleep(for: .milliseconds(2)) }
                return await ParallelWork.map(count: 300, batch: 16, workers: 2) { index, _ in piece * 1000 + index }
            },
            write: { result in written.withLock { $0.append(result[0] / 1000) } })
        #expect(written.withLock { $0 } == Array(0..<200))
    }

    @Test(
        "a write that fails (Ctrl-C after a commit) ends the pipeline with its error, the steps ahead of it cancelled")
    func writeFails() async throws {
        let written = Mutex<[Int]>([])
        let source = Source(count: 10_000)
        var failure: (any Error)?
        do {
            try await ChunkPipeline.run(
                read: { try source.read() },
                work: { $0 },
                write: { piece in
                    written.withLock { $0.append(piece) }
                    if piece == 3 { throw Stop(at: 3) }
                })
        } catch {
            failure = error
        }
        #expect(failure as? Stop == Stop(at: 3), "\(String(describing: failure))")
        // Nothing after the failed write was written; the reader stopped a few pieces ahead, not at the end.
        #expect(written.withLock { $0 } == [0, 1, 2, 3])
    }

    @Test("a read that fails ends the pipeline with its error after the pieces read before it are written")
    func readFails() async throws {
        let written = Mutex<[Int]>([])
        let source = Source(count: 100, failAt: 5)
        var failure: (any Error)?
        do {
            try await ChunkPipeline.run(
                read: { try source.read() },
                work: { $0 * 2 },
                write: { piece in written.withLock { $0.append(piece) } })
        } catch {
            failure = error
        }
        #expect(failure as? Stop == Stop(at: 5), "\(String(describing: failure))")
        #expect(written.withLock { $0 } == [0, 2, 4, 6, 8])
    }

    @Test("parallel work returns its results in input order, and small inputs stay on one child")
    func parallelOrder() async {
        for (count, batch) in [(0, 8), (1, 8), (8, 8), (9, 8), (1000, 7)] {
            let workers = Mutex<Set<Int>>([])
            let result = await ParallelWork.map(count: count, batch: batch, workers: 2) { index, worker in
                workers.withLock { _ = $0.insert(worker) }
                return "\(index)"
            }
            #expect(result == (0..<count).map { "\($0)" }, "count \(count)")
            if count <= batch { #expect(workers.withLock { $0 }.isSubset(of: [0]), "count \(count)") }
        }
    }
}
