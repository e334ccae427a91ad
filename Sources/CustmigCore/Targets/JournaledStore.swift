/// A target's primitive operations on one customer and on its load journal, inside the target's open
/// transaction: what ``JournaledBatch`` needs to apply a batch, rehearse it and undo it the same way on
/// every target that implements them (PostgreSQL, in memory). SQLite keeps a hand-tuned copy of the
/// same algorithm on its hot path.
protocol JournaledStore: AnyObject {
    /// The rows of the given customers as they are now; absent ids are missing.
    func rows(ids: [String]) throws -> [String: Result<CustomerRows, UnreadableTargetRow>]
    func existing(ids: [String]) throws -> Set<String>
    /// Writes a customer's rows; with `before` (the rows as they are), only what differs.
    func writeRows(_ action: TargetAction, rows: CustomerRows, before: CustomerRows?) throws
    /// Deletes a customer and its child rows.
    func deleteCustomer(_ id: String) throws
    /// Whether an undo gathers a batch's deletes for ``deleteCustomers(_:)`` (a target reached over its
    /// API, where a call per customer is the cost): only where no customer refers to another, since a
    /// delete that waits would still be found as a referrer.
    var deletesInBulk: Bool { get }
    /// Deletes customers in as few calls as the target allows.
    func deleteCustomers(_ ids: [String]) throws
    /// A customer other than `id` that refers to it (as parent or partner), if any.
    func referrer(of id: String) throws -> String?

    /// The last-loaded records and crosswalked keys among `keys`.
    func journal(keys: [String]) throws -> (loaded: [String: LoadedRecord], crosswalked: Set<String>)
    /// Records the crosswalk entry (kept when it exists) and the last-loaded image.
    func recordLoaded(_ action: TargetAction, images: PreparedImages, planHash: String, time: String) throws
    func appendUndo(_ entry: UndoEntry) throws
    /// A batch's undo entries, newest first.
    func undoEntries(planHash: String, batch: Int) throws -> [UndoEntry]
    /// Removes a batch's undo entries (all of them: undone or kept and reported).
    func removeUndo(planHash: String, batch: Int) throws
    func removeCrosswalk(keys: [String]) throws
    /// Puts back what was loaded before an action (from its undo entry's `loadedBefore`).
    func restoreLoaded(key: String, from entry: UndoEntry) throws
    /// Forgets what was loaded for keys whose first load is undone.
    func forgetLoaded(keys: [String]) throws
    func addCheckpoint(planHash: String, batch: Int, actions: Int, time: String) throws
    func removeCheckpoint(planHash: String, batch: Int) throws
    func removeBatchLayout(planHash: String) throws

    /// Savepoints inside the open transaction, so one refused action (or group) is taken back alone.
    func savepoint(_ name: String) throws
    func rollback(to name: String) throws
    func release(_ name: String) throws
    /// Writes new customers (no row to compare with) with their journal in one go, if the target has
    /// a faster way than one by one; false: it has none. Throws what the target refused.
    func insertNewCustomers(
        _ group: [(action: TargetAction, index: Int)], journal: JournaledBatch.Journal?,
        known: (loaded: [String: LoadedRecord], crosswalked: Set<String>)
    ) throws -> Bool
    /// What a failure the target raised means (nil: not the target's refusal, let it through).
    func refusal(_ error: Error, batch: Int, action: TargetAction) -> RefusedAction?
}

/// What custmig loaded last for one customer, as the journal keeps it.
struct LoadedRecord: Sendable, Hashable {
    var image: String
    var imageHash: String
    var sourceHash: String?
    var planHash: String?
    var loadedAt: String?
}

/// One undo entry: the customer as it was before an action (nil: the action created it), the
/// fingerprint the action left, and the journal as it was.
struct UndoEntry: Sendable, Hashable {
    var planHash: String
    var batch: Int
    var seq: Int
    var canonicalKey: String
    var customerId: String
    var beforeImage: String?
    var afterHash: String
    var crosswalkCreated: Bool
    var loadedBefore: LoadedRecord?
}

extension JournaledStore {
    var deletesInBulk: Bool { false }
    func deleteCustomers(_ ids: [String]) throws { for id in ids { try deleteCustomer(id) } }
}
