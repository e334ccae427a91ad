/// A dry run's replay of its plan on a target, batch by batch, that is never kept: in a transaction
/// rolled back at the end, or on a scratch copy deleted at the end. The replay is driven from outside
/// (``replay(batch:actions:)`` per batch), so the dry run reads the next batch while one is replayed.
public protocol TargetRehearsal: AnyObject {
    /// Replays one batch; an action the target refuses is recorded, taken out and the batch replayed
    /// without it.
    func replay(batch: Int, actions: [TargetAction]) throws -> [RefusedAction]
    /// Ends the replay: rolls it back, or deletes the copy. Safe to call more than once.
    func close()
}

/// A scratch copy of a target that a dry run replays its plan on, batch by batch, each batch committed
/// there as the cutover would commit it, on a task of its own beside the planning. The copy is deleted
/// when closed (or when the object goes).
public protocol RehearsalCopy: TargetRehearsal, Sendable {}

extension Target {
    /// Replays `batchCount` batches in one go, reading each from `batch` (``rehearsal(copyFolder:)``
    /// closed at the end); returns what the target refused.
    public func rehearse(
        batchCount: Int, copyFolder: String?, batch: (Int) throws -> [TargetAction]
    ) throws -> [RefusedAction] {
        let rehearsal = try rehearsal(copyFolder: copyFolder)
        defer { rehearsal.close() }
        var refused: [RefusedAction] = []
        for number in 0..<batchCount { refused += try rehearsal.replay(batch: number, actions: try batch(number)) }
        return refused
    }
}

/// A replay in place on a target that writes through ``JournaledBatch`` (PostgreSQL, in memory): begun
/// before the first batch and rolled back when closed; the target is never changed.
final class JournaledRehearsal<Store: JournaledStore>: TargetRehearsal {
    private let store: Store
    private let rollBack: () -> Void
    private var closed = false

    init(store: Store, begin: () throws -> Void, rollBack: @escaping () -> Void) throws {
        self.store = store
        self.rollBack = rollBack
        try begin()
    }

    deinit { close() }

    func replay(batch: Int, actions: [TargetAction]) throws -> [RefusedAction] {
        var refused: [RefusedAction] = []
        _ = try JournaledBatch.write(actions, batch: batch, journal: nil, store: store) { refused.append($0) }
        return refused
    }

    func close() {
        guard !closed else { return }
        closed = true
        rollBack()
    }
}
