import AsyncAlgorithms

/// Reads piece k+1 on a child task while the calling task works on piece k: a stage whose work keeps
/// state of its own (tallies, a report) reads its next chunk of the plan or of the target meanwhile.
/// At most one piece waits (a rendezvous channel), so memory holds about two pieces.
enum ReadAhead {
    /// `read` returns nil after the last piece; it is called from one child task, in order. `body`
    /// runs on the calling task; when it throws (Ctrl-C between two pieces), the read is cancelled at its
    /// next piece and the error thrown.
    static func forEach<Piece: Sendable>(
        read: sending @escaping () async throws -> Piece?,
        _ body: (Piece) async throws -> Void
    ) async throws {
        let read = Handed(read)
        let pieces = AsyncThrowingChannel<Piece, any Error>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pieces.send(readingFrom: read) }
            for try await piece in pieces { try await body(piece) }
            try Task.checkCancellation()
        }
    }
}

extension AsyncThrowingChannel where Failure == any Error {
    /// Sends what `read` returns, in order, until it returns nil (the channel is then finished) or
    /// throws (the channel then fails with its error); a cancelled task stops at its next piece.
    func send(readingFrom handed: Handed<() async throws -> Element?>) async {
        let read = handed.take()
        do {
            while let piece = try await read() {
                try Task.checkCancellation()
                await send(piece)
            }
            finish()
        } catch {
            fail(error)
        }
    }
}
