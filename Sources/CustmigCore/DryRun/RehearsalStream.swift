import Foundation

/// A first load's rehearsal run beside its planning: each batch the plan writer closes is replayed on a
/// scratch copy of the target by a thread of its own while the planner goes on with the next customers.
/// The batches are the plan's own (same rows, same order, same cut) and the actions are made the way
/// the cutover makes them from the stored plan, so the copy refuses what the target would.
///
/// At most `window` closed batches wait for the replay (besides the one replayed and the one filling):
/// a planner ahead of the replay waits instead of holding the whole plan's images in memory.
///
/// Sendable by hand: every variable is read and changed with `condition` locked; the copy is used
/// only by the replay thread.
final class RehearsalStream: @unchecked Sendable {
    // Unchecked: every mutable property is read and written with `condition` held.
    private let copy: any RehearsalCopy
    private let window: Int
    private let condition = NSCondition()
    private var waiting: [(batch: Int, rows: [Planner.ActionRow])] = []
    private var refused: [RefusedAction] = []
    private var failure: (any Error)?
    private var sent = 0
    private var replayed = 0
    private var closed = false
    private var finished = false

    init(copy: any RehearsalCopy, window: Int = 8) {
        self.copy = copy
        self.window = window
        // Held weakly, as ``Prefetch`` holds its state: a Thread's block is released after
        // libdispatch's thread data, and the copy's database freed then corrupts the heap.
        let thread = Thread { [weak self] in self?.serve() }
        thread.name = "custmig.rehearsal"
        thread.start()
    }

    /// Hands over a closed batch; waits while `window` batches are ahead of the replay. Throws the
    /// replay's failure, if it failed.
    func send(batch: Int, rows: [Planner.ActionRow]) throws {
        condition.lock()
        defer { condition.unlock() }
        while waiting.count >= window && failure == nil && !closed { condition.wait() }
        if let failure { throw failure }
        waiting.append((batch, rows))
        sent += 1
        condition.broadcast()
    }

    /// Waits until every batch sent is replayed, telling `progress` how far the replay got, deletes the
    /// copy and returns what it refused.
    func finish(progress: ((_ replayed: Int, _ of: Int) -> Void)? = nil) throws -> [RefusedAction] {
        condition.lock()
        closed = true
        condition.broadcast()
        while !finished {
            progress?(replayed, sent)
            _ = condition.wait(until: Date(timeIntervalSinceNow: 1))
        }
        let (refused, failure) = (self.refused, self.failure)
        condition.unlock()
        if let failure { throw failure }
        return refused
    }

    /// Stops the replay after its current batch and deletes the copy (planning failed or was stopped).
    func cancel() {
        condition.lock()
        closed = true
        waiting.removeAll()
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func serve() {
        while true {
            condition.lock()
            while waiting.isEmpty && !closed { condition.wait() }
            guard !waiting.isEmpty, failure == nil else {
                finished = true
                copy.close()
                condition.broadcast()
                condition.unlock()
                return
            }
            let next = waiting.removeFirst()
            condition.broadcast()
            condition.unlock()
            do {
                let actions = next.rows.map { $0.targetAction() }
                let refusals = try copy.replay(batch: next.batch, actions: actions)
                condition.lock()
                refused += refusals
                replayed += 1
            } catch {
                condition.lock()
                failure = error
                waiting.removeAll()
            }
            condition.broadcast()
            condition.unlock()
        }
    }
}

extension Planner.ActionRow {
    /// The action the cutover will make of this row once stored: its images prepared as when they are
    /// read back (a new customer's rows straight from its image, an update's with its before-image).
    func targetAction() -> TargetAction {
        let image = image ?? CustomerImage()
        var action = TargetAction(
            kind: applyKind ?? .upsert, canonicalKey: key, customerId: customerId ?? "", image: CustomerImage(),
            crosswalk: self.action == .link ? "linked" : "inserted")
        action.expectedFingerprint = fingerprint
        action.sourceHash = sourceHash
        action.prepared =
            before == nil
            ? PreparedImages.rebuiltForRehearsal(image, fingerprint: imageFingerprint ?? image.fingerprint)
            : PreparedImages(image: image, before: before)
        return action
    }
}
