import Crypto
import Foundation

/// A target held in memory with the same rules as the database targets (checks, code lists, references,
/// unique external ids), transactions, rehearsal and snapshots, and no I/O: what fast tests of the
/// planner, cutover and rollback run against (as swift-nio's embedded channel stands in for a socket).
/// Named by `memory:NAME`; it lives as long as the process.
public final class InMemoryTarget: Target {
    public let name: String
    public let instance: String
    var state: InMemoryState
    /// Savepoints and transactions: the state as it was when each began.
    private var marks: [(name: String, state: InMemoryState)] = []
    var snapshots: [String: InMemoryState] = [:]

    public var location: TargetLocation { .memory(name: name) }
    public var capabilities: TargetCapabilities { [.transactionalBatches, .rehearsal, .snapshots, .rowFingerprints] }
    public var sizeInBytes: Int64 { Int64(state.customers.count) * 1_024 }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var targets: [String: InMemoryTarget] = [:]

    /// Creates an empty target named `name` with `codes`; refuses a name in use.
    @discardableResult
    public static func initialize(name: String, codes: CodeLists) throws -> InMemoryTarget {
        lock.lock()
        defer { lock.unlock() }
        guard targets[name] == nil else {
            throw CustmigError(
                .usage, code: "TARGET-EXISTS", "memory:\(name) exists already in this process.",
                fix: "choose a new name.")
        }
        let target = InMemoryTarget(name: name, codes: codes)
        targets[name] = target
        return target
    }

    /// The target named `name`, made earlier in this process.
    public static func open(name: String) throws -> InMemoryTarget {
        lock.lock()
        defer { lock.unlock() }
        guard let target = targets[name] else {
            throw CustmigError(
                .unreadableInput, code: "TARGET-MISSING", "there is no target memory:\(name) in this process.",
                fix: "create it first (an in-memory target lives as long as the process that made it).")
        }
        return target
    }

    private init(name: String, codes: CodeLists) {
        self.name = name
        instance = UUID().uuidString.lowercased()
        state = InMemoryState(codes: codes)
    }

    public func close() throws {}

    /// Sets a customer's rows as another application would, without custmig's journal: how tests
    /// stand for someone editing the ERP.
    public func edit(customerId: String, image: CustomerImage) { state.customers[customerId] = image.rows }

    /// Runs `body` as a transaction: its changes are kept when it returns, undone when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        let before = state
        do { return try body() } catch {
            state = before
            throw error
        }
    }

    func savepoint(_ name: String) throws { marks.append((name, state)) }

    func rollback(to name: String) throws {
        guard let mark = marks.last(where: { $0.name == name }) else { return }
        state = mark.state
    }

    func release(_ name: String) throws {
        if let index = marks.lastIndex(where: { $0.name == name }) { marks.removeSubrange(index...) }
    }

    // MARK: Reading

    public func codeLists() throws -> CodeLists { state.codes }

    public func loadedCrosswalk() throws -> LoadedCrosswalk {
        var crosswalk = LoadedCrosswalk(capacity: state.crosswalk.count)
        for (key, entry) in state.crosswalk {
            crosswalk.add(
                key: key, id: entry.customerId, image: Hash128(hex: entry.imageHash),
                source: Hash128(hex: entry.sourceHash))
        }
        return crosswalk
    }

    public func customerIds() throws -> [String] {
        state.customers.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public func images(ids: [String]) throws -> [String: Result<CustomerImage, UnreadableTargetRow>] {
        try rows(ids: ids).mapValues { $0.map(CustomerImage.init(rows:)) }
    }

    func rows(ids: [String]) throws -> [String: Result<CustomerRows, UnreadableTargetRow>] {
        var result: [String: Result<CustomerRows, UnreadableTargetRow>] = [:]
        for id in ids { if let rows = state.customers[id] { result[id] = .success(rows) } }
        return result
    }

    public func fingerprints(ids: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for id in ids { if let rows = state.customers[id] { result[id] = rows.fingerprint } }
        return result
    }

    /// The customers as they are now (the target does not change while a dry run plans).
    public func fingerprintReader() throws -> @Sendable ([String]) async throws -> [String: String] {
        let customers = state.customers
        return { ids in
            var result: [String: String] = [:]
            for id in ids { if let rows = customers[id] { result[id] = rows.fingerprint } }
            return result
        }
    }

    public func existing(ids: [String]) throws -> Set<String> { Set(ids.filter { state.customers[$0] != nil }) }

    public func loaded(keys: [String], images: Bool) throws -> [String: LoadedCustomer] {
        var result: [String: LoadedCustomer] = [:]
        for key in keys {
            guard let record = state.loaded[key] else { continue }
            result[key] = LoadedCustomer(
                image: images ? record.image : "", imageHash: record.imageHash, sourceHash: record.sourceHash)
        }
        return result
    }

    public func controlTotalsReader() throws -> @Sendable () throws -> ControlTotals {
        let totals = state.controlTotals()
        return { totals }
    }

    // MARK: Bookkeeping

    public func committedBatches(planHash: String) throws -> Set<Int> { Set((state.checkpoints[planHash] ?? [:]).keys) }

    public func batchLayout(planHash: String) throws -> String? { state.meta["cutover_batches/" + planHash] }

    public func recordBatchLayout(planHash: String, layout: String) throws {
        state.meta["cutover_batches/" + planHash] = layout
    }

    public func crosswalkCount(planHash: String) throws -> Int {
        state.crosswalk.values.filter { $0.planHash == planHash }.count
    }

    public func forEachCrosswalkEntry(_ body: (String, String, String) throws -> Void) throws {
        for key in state.crosswalk.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let entry = state.crosswalk[key]!
            try body(key, entry.customerId, entry.how)
        }
    }

    public func crosswalkEntry(_ reference: String) throws -> TargetCrosswalkEntry? {
        guard
            let (key, entry) = state.crosswalk[reference].map({ (reference, $0) })
                ?? state.crosswalk.first(where: { $0.value.customerId == reference }).map({ ($0.key, $0.value) })
        else { return nil }
        let loaded = state.loaded[key]
        return TargetCrosswalkEntry(
            canonicalKey: key, customerId: entry.customerId, how: entry.how, loadedImage: loaded?.image,
            loadedHash: loaded?.imageHash, planHash: loaded?.planHash, loadedAt: loaded?.loadedAt)
    }

    public func forgetUndo(planHashes: [String]) throws -> Int {
        planHashes.reduce(0) { count, hash in count + (state.undo.removeValue(forKey: hash)?.count ?? 0) }
    }

    public func loadSession() throws -> any TargetLoadSession { QuietLoadSession() }

    // MARK: Writing

    @discardableResult
    public func apply(batch: Int, actions: [TargetAction], planHash: String, skipStale: Bool) throws -> BatchResult {
        let now = ISO8601DateFormatter().string(from: Date())
        return try transaction {
            try JournaledBatch.apply(
                actions, batch: batch, planHash: planHash, time: now, skipStale: skipStale, store: self)
        }
    }

    /// Replays batches on the state as it is; the state before is put back when the rehearsal closes.
    public func rehearsal(copyFolder: String?) throws -> any TargetRehearsal {
        let before = state
        return try JournaledRehearsal(store: self, begin: {}, rollBack: { [weak self] in self?.state = before })
    }

    public func undoBatches(planHash: String) throws -> [Int] {
        Set((state.undo[planHash] ?? [:]).keys.map { $0 / JournaledBatch.undoSeqStride }).sorted(by: >)
    }

    public func undo(batch: Int, planHash: String, isLast: Bool) throws -> UndoOutcome {
        try transaction { try JournaledBatch.undo(batch: batch, planHash: planHash, isLast: isLast, store: self) }
    }

    // MARK: Snapshots

    public func snapshot(planHash: String) throws -> TargetSnapshot? { state.snapshots[planHash] }

    public func takeSnapshot(planHash: String, name: String, folder: String) throws -> TargetSnapshot {
        let copy = state
        snapshots[name] = copy
        let snapshot = TargetSnapshot(
            location: "memory snapshot \(name)", sha256: copy.digest, manifest: copy.manifest)
        state.snapshots[planHash] = snapshot
        return snapshot
    }

    public func restore(_ snapshot: TargetSnapshot, safetyName: String, folder: String) throws -> String {
        let name = String(snapshot.location.dropFirst("memory snapshot ".count))
        guard let copy = snapshots[name] else {
            throw CustmigError(
                .unreadableInput, code: "ROLLBACK-SNAPSHOT-MISSING", "the snapshot \(snapshot.location) is missing.",
                fix: "roll back with --mode surgical.")
        }
        guard copy.digest == snapshot.sha256 else {
            throw CustmigError(
                .unreadableInput, code: "ROLLBACK-SNAPSHOT-CORRUPT",
                "the snapshot \(snapshot.location) does not match its checksum; nothing was restored.",
                fix: "roll back with --mode surgical.")
        }
        snapshots[safetyName] = state
        state = copy
        return "memory snapshot \(safetyName)"
    }

    public func dropSnapshots(planHash: String, safetyPrefix: String) throws -> [String] {
        let recorded = state.snapshots[planHash].map { String($0.location.dropFirst("memory snapshot ".count)) }
        let names = snapshots.keys.filter { $0 == recorded || $0.hasPrefix(safetyPrefix) }.sorted()
        for name in names { snapshots[name] = nil }
        return names.map { "memory snapshot \($0)" }
    }
}
