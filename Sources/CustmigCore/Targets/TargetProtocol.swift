import Foundation

/// A cloud ERP's customer master as every stage sees it: the only way the dry run, cutover, rollback,
/// reconciliation, crosswalk and purge reach a target. Each kind lives in its own folder under
/// `Targets/` and speaks its own language (SQL, JSON-RPC) there; the stages speak canonical terms
/// (``CustomerImage`` paths, canonical keys, plan hashes) and ask ``capabilities`` instead of assuming
/// transactions, rehearsal or snapshots.
///
/// Opened from a `--target` location by ``TargetRegistry``. One value is used by one thread at a time;
/// what runs beside it (``controlTotalsReader()``, ``fingerprintReader()``) gets a `Sendable` function
/// with a connection of its own.
public protocol Target: AnyObject {
    var location: TargetLocation { get }
    var capabilities: TargetCapabilities { get }
    /// A random id set when the target was initialized: plans name the target instance they read.
    var instance: String { get }
    /// About how many bytes the target holds (a dry run rehearses a plan that writes more on a copy).
    var sizeInBytes: Int64 { get }
    func close() throws
    /// The lock a cutover or rollback holds while it writes (see ``TargetWriteLock``); throws
    /// `TARGET-LOCKED` naming the holder when another has it.
    func lockForWriting(holder: String) throws -> TargetWriteLock

    // MARK: Reading state

    func codeLists() throws -> CodeLists
    /// Canonical key -> target id and the hashes of what custmig loaded last, for every key it loaded or linked.
    func loadedCrosswalk() throws -> LoadedCrosswalk
    func customerIds() throws -> [String]
    func images(ids: [String]) throws -> [String: Result<CustomerImage, UnreadableTargetRow>]
    /// The row fingerprint (``CustomerRows/fingerprint``) of each of `ids` that exists and can be read.
    func fingerprints(ids: [String]) throws -> [String: String]
    /// Which of `ids` exist as customers.
    func existing(ids: [String]) throws -> Set<String>
    /// What custmig loaded last time, by canonical key: the base of three-way diffs.
    func loaded(keys: [String], images: Bool) throws -> [String: LoadedCustomer]
    /// A function that counts the target's control totals on its own connection: the dry run counts
    /// them while it rehearses, the reconciliation while it compares rows.
    func controlTotalsReader() throws -> @Sendable () throws -> ControlTotals
    /// A function that reads ``fingerprints(ids:)`` on connections of its own (many ids on several at
    /// once): the dry run reads the next chunk's while it plans the current one with this target, the
    /// reconciliation a chunk's at a time. Called by one task at a time.
    func fingerprintReader() throws -> @Sendable ([String]) async throws -> [String: String]
    /// Makes the next ``controlTotalsReader()`` sum the customers that ``images(ids:)`` and
    /// ``fingerprints(ids:)`` read from now on and read only the others: for a target where every read
    /// is a call to a server, which the dry run and the reconciliation would otherwise read twice. The
    /// caller then makes the reader after its reads. False (databases): the reader reads on its own.
    func tallyReads() -> Bool
    /// The part of an image the target has a place for, and the paths it has none for: the dry run
    /// plans the first and lists the second as not loaded, per field.
    func holdable(_ image: CustomerImage) -> (image: CustomerImage, notLoaded: [String])
    /// Why the target will refuse to write `image` over `before`, predicted with the rules it validates
    /// by (an ERP's VAT check digits, its unique IBANs): the dry run rejects the customer instead of the cutover learning
    /// it from a failed call. Nil when nothing predicts a refusal.
    func predictedRefusal(_ image: CustomerImage, before: CustomerImage?) throws -> String?
    /// True when ``holdable(_:)`` keeps every path and ``predictedRefusal(_:before:)`` predicts nothing (a
    /// database): the dry run then checks a new customer's rows by position, without its image's paths.
    var takesImagesAsTheyAre: Bool { get }
    /// Gives back the memory the target's connections cache: a dry run's planning is done reading through
    /// them, and its rehearsal and reports need the memory more.
    func releaseMemory()
    /// The calls made so far to a target reached over an API, with retries (nil for a database):
    /// what a cutover's progress shows besides customers per second.
    var callStatistics: CallStatistics? { get }

    // MARK: Bookkeeping (the load journal)

    func committedBatches(planHash: String) throws -> Set<Int>
    /// The customers a target without transactions refused in the committed batches of a plan, kept
    /// with each batch's checkpoint: a cutover killed after a batch landed and before the ledger
    /// recorded its refusals takes them from here when it resumes.
    func refusals(planHash: String) throws -> [RefusedAction]
    /// How the cutover of a plan cut its batches (`plan` or a size), recorded before its first batch.
    func batchLayout(planHash: String) throws -> String?
    func recordBatchLayout(planHash: String, layout: String) throws
    /// How many crosswalk entries a plan's cutover made or last touched.
    func crosswalkCount(planHash: String) throws -> Int
    /// Every crosswalk entry, in the byte order of the canonical key.
    func forEachCrosswalkEntry(_ body: (_ key: String, _ customerId: String, _ how: String) throws -> Void) throws
    /// The crosswalk entry of a canonical key or target id (tried in that order), with what was loaded last.
    func crosswalkEntry(_ reference: String) throws -> TargetCrosswalkEntry?
    /// Deletes the undo entries of plans (purge); returns how many went.
    func forgetUndo(planHashes: [String]) throws -> Int

    // MARK: Writing

    /// Applies one batch with its bookkeeping (crosswalk, last loaded, undo entries, checkpoint): all
    /// of it or nothing where ``TargetCapabilities/transactionalBatches`` holds. Rows changed since the
    /// plan read them are reported and skipped with `skipStale`, else the batch throws ``StaleBatch``
    /// unapplied. A refused action is thrown as ``RefusedAction``.
    @discardableResult
    func apply(batch: Int, actions: [TargetAction], planHash: String, skipStale: Bool) throws -> BatchResult
    /// Called by the cutover before its first batch and after each one it commits (position in this
    /// run), and when it ends: housekeeping a target does while loading (SQLite's WAL checkpoints).
    func loadSession() throws -> any TargetLoadSession
    /// A replay of batches that is not kept (``TargetCapabilities/rehearsal``), fed one batch at a time.
    /// With `copyFolder`, a target that can copies itself there and replays on the copy (a first load
    /// writes more than a rolled-back transaction holds well); others replay in place, rolled back.
    func rehearsal(copyFolder: String?) throws -> any TargetRehearsal
    /// A scratch copy of the target in `folder` that batches can be replayed on while the planner still
    /// reads the target itself: a first load's rehearsal then runs beside its planning instead of after
    /// it. Nil where the target cannot be copied (its rehearsal runs after planning, in place).
    func rehearsalCopy(in folder: String) throws -> (any RehearsalCopy)?

    // MARK: Undoing

    /// The batches of a plan that still have undo entries, newest first.
    func undoBatches(planHash: String) throws -> [Int]
    /// Undoes one batch of a plan in one transaction (restores updated customers, deletes inserted
    /// ones, keeps and reports rows edited since), removing its undo entries and checkpoint with it.
    func undo(batch: Int, planHash: String, isLast: Bool) throws -> UndoOutcome

    // MARK: Snapshots (``TargetCapabilities/snapshots``)

    /// The snapshot recorded for a plan, if one was taken.
    func snapshot(planHash: String) throws -> TargetSnapshot?
    /// Takes a consistent, checksummed snapshot; `folder` is the workspace's snapshot folder, `name` a
    /// name for it (plan and hash).
    func takeSnapshot(planHash: String, name: String, folder: String) throws -> TargetSnapshot
    /// Verifies and restores a snapshot, after keeping the current state aside (returned: where).
    func restore(_ snapshot: TargetSnapshot, safetyName: String, folder: String) throws -> String
    /// Deletes what a target keeps inside itself of a plan's snapshot and of the copies its snapshot
    /// rollbacks set aside (`safetyPrefix` starts their names), for a purge; returns what went. Files
    /// in the workspace are deleted by the purge itself.
    func dropSnapshots(planHash: String, safetyPrefix: String) throws -> [String]
}

/// Housekeeping while a cutover loads (see ``Target/loadSession()``).
public protocol TargetLoadSession {
    func willApply(position: Int)
    func committed(position: Int)
    func finish() throws
}

/// A load session with nothing to do.
public struct QuietLoadSession: TargetLoadSession {
    public init() {}
    public func willApply(position: Int) {}
    public func committed(position: Int) {}
    public func finish() throws {}
}

/// A crosswalk entry as the target's bookkeeping holds it.
public struct TargetCrosswalkEntry: Sendable {
    public var canonicalKey: String
    public var customerId: String
    public var how: String
    /// What was loaded last (``StoredImageText`` or JSON), its fingerprint, plan and time.
    public var loadedImage: String?
    public var loadedHash: String?
    public var planHash: String?
    public var loadedAt: String?
}

/// What undoing one batch did.
public struct UndoOutcome: Sendable {
    public var deleted = 0
    public var restored = 0
    public var kept: [String] = []
    public init() {}
}

/// A snapshot as the target's bookkeeping records it: where (a file, a schema), its checksum and the
/// row count of each table.
public struct TargetSnapshot: Sendable {
    public var location: String
    public var sha256: String
    public var manifest: String
    public init(location: String, sha256: String, manifest: String) {
        self.location = location
        self.sha256 = sha256
        self.manifest = manifest
    }
}

extension Target {
    /// A database target's batch is one transaction: a refusal stops it whole, nothing to keep.
    public func refusals(planHash: String) throws -> [RefusedAction] { [] }

    /// Database targets sum their control totals in SQL beside the other reads.
    public func tallyReads() -> Bool { false }

    /// Database targets hold every canonical field.
    public func holdable(_ image: CustomerImage) -> (image: CustomerImage, notLoaded: [String]) { (image, []) }

    /// Database targets neither drop fields nor predict refusals (a target that does says so).
    public var takesImagesAsTheyAre: Bool { true }

    /// Targets without a cache of their own keep nothing to give back.
    public func releaseMemory() {}

    /// Targets that cannot copy themselves rehearse after planning.
    public func rehearsalCopy(in folder: String) throws -> (any RehearsalCopy)? { nil }

    /// Database targets check nothing beyond their code lists and constraints.
    public func predictedRefusal(_ image: CustomerImage, before: CustomerImage?) throws -> String? { nil }

    public var callStatistics: CallStatistics? { nil }

    /// `loaded(keys:images:)` with images.
    public func loaded(keys: [String]) throws -> [String: LoadedCustomer] { try loaded(keys: keys, images: true) }

    /// Refuses an operation the target cannot do, naming the capability.
    func require(_ capability: TargetCapabilities, for operation: String, fix: String) throws {
        guard capabilities.contains(capability) else {
            throw CustmigError(
                .usage, code: "TARGET-CAPABILITY",
                "\(location.redacted) cannot \(operation): it has no \(capability.names.joined(separator: ", ")).",
                fix: fix)
        }
    }
}
