import CustmigCore
import Testing

/// A target with fewer capabilities than the one it forwards to, as an ERP reached over an API has
/// (no rehearsal, no snapshots): how stages behave when a capability is absent. `copy` replaces the
/// base's rehearsal copy (one that fails, say).
final class LimitedTarget: Target {
    let base: any Target
    let capabilities: TargetCapabilities
    var copy: ((String) throws -> (any RehearsalCopy)?)?

    init(_ base: any Target, capabilities: TargetCapabilities) {
        self.base = base
        self.capabilities = capabilities
    }

    var location: TargetLocation { base.location }
    var instance: String { base.instance }
    var sizeInBytes: Int64 { base.sizeInBytes }
    func close() throws { try base.close() }
    func codeLists() throws -> CodeLists { try base.codeLists() }
    func loadedCrosswalk() throws -> LoadedCrosswalk { try base.loadedCrosswalk() }
    func customerIds() throws -> [String] { try base.customerIds() }
    func images(ids: [String]) throws -> [String: Result<CustomerImage, UnreadableTargetRow>] {
        try base.images(ids: ids)
    }
    func fingerprints(ids: [String]) throws -> [String: String] { try base.fingerprints(ids: ids) }
    func existing(ids: [String]) throws -> Set<String> { try base.existing(ids: ids) }
    func loaded(keys: [String], images: Bool) throws -> [String: LoadedCustomer] {
        try base.loaded(keys: keys, images: images)
    }
    func controlTotalsReader() throws -> @Sendable () throws -> ControlTotals { try base.controlTotalsReader() }
    func fingerprintReader() throws -> @Sendable ([String]) async throws -> [String: String] {
        try base.fingerprintReader()
    }
    func committedBatches(planHash: String) throws -> Set<Int> { try base.committedBatches(planHash: planHash) }
    func batchLayout(planHash: String) throws -> String? { try base.batchLayout(planHash: planHash) }
    func recordBatchLayout(planHash: String, layout: String) throws {
        try base.recordBatchLayout(planHash: planHash, layout: layout)
    }
    func crosswalkCount(planHash: String) throws -> Int { try base.crosswalkCount(planHash: planHash) }
    func forEachCrosswalkEntry(_ body: (String, String, String) throws -> Void) throws {
        try base.forEachCrosswalkEntry(body)
    }
    func crosswalkEntry(_ reference: String) throws -> TargetCrosswalkEntry? { try base.crosswalkEntry(reference) }
    func forgetUndo(planHashes: [String]) throws -> Int { try base.forgetUndo(planHashes: planHashes) }
    func apply(batch: Int, actions: [TargetAction], planHash: String, skipStale: Bool) throws -> BatchResult {
        try base.apply(batch: batch, actions: actions, planHash: planHash, skipStale: skipStale)
    }
    func loadSession() throws -> any TargetLoadSession { try base.loadSession() }
    func rehearsalCopy(in folder: String) throws -> (any RehearsalCopy)? {
        try copy?(folder) ?? base.rehearsalCopy(in: folder)
    }
    func rehearsal(copyFolder: String?) throws -> any TargetRehearsal {
        Issue.record("rehearsal asked of a target without rehearsal")
        return try base.rehearsal(copyFolder: copyFolder)
    }
    func undoBatches(planHash: String) throws -> [Int] { try base.undoBatches(planHash: planHash) }
    func undo(batch: Int, planHash: String, isLast: Bool) throws -> UndoOutcome {
        try base.undo(batch: batch, planHash: planHash, isLast: isLast)
    }
    func snapshot(planHash: String) throws -> TargetSnapshot? { try base.snapshot(planHash: planHash) }
    func takeSnapshot(planHash: String, name: String, folder: String) throws -> TargetSnapshot {
        Issue.record("takeSnapshot called on a target without snapshots")
        return try base.takeSnapshot(planHash: planHash, name: name, folder: folder)
    }
    func restore(_ snapshot: TargetSnapshot, safetyName: String, folder: String) throws -> String {
        try base.restore(snapshot, safetyName: safetyName, folder: folder)
    }
    func dropSnapshots(planHash: String, safetyPrefix: String) throws -> [String] {
        try base.dropSnapshots(planHash: planHash, safetyPrefix: safetyPrefix)
    }
}
