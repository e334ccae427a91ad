/// A cloud ERP's customer master as the dry run and the cutover see it. ``SQLiteTarget`` is the
/// first; the stages ask ``capabilities`` rather than assume transactions, savepoints or snapshots.
public protocol Target: AnyObject {
    var location: TargetLocation { get }
    var capabilities: TargetCapabilities { get }
    /// A random id set when the target was initialized: plans name the target instance they read.
    var instance: String { get }

    func codeLists() throws -> CodeLists
    /// Canonical key -> target customer id, for every customer custmig loaded or linked.
    func crosswalk() throws -> [String: String]
    func loadedHashes() throws -> [String: LoadedHashes]
    func customerIds() throws -> [String]
    func images(ids: [String]) throws -> [String: Result<CustomerImage, UnreadableTargetRow>]
    /// What custmig loaded last time (image JSON), by canonical key: the base of three-way diffs.
    func loaded(keys: [String], images: Bool) throws -> [String: LoadedCustomer]
    /// Applies one batch in one transaction (with crosswalk, last-loaded, undo and checkpoint bookkeeping).
    @discardableResult
    func apply(batch: Int, actions: [TargetAction], planHash: String, skipStale: Bool) throws -> BatchResult
    func committedBatches(planHash: String) throws -> Set<Int>
    /// Replays batches without committing; returns what the target refused.
    func rehearse(batchCount: Int, batch: (Int) throws -> [TargetAction]) throws -> [RefusedAction]
}
