import Foundation

/// What a target can do; stages ask instead of assuming (an HTTP/OData target has no transactions
/// or snapshots, and the cutover then has to work row by row with compensations).
public struct TargetCapabilities: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// A batch of actions applies in one transaction: all of it or nothing.
    public static let transactionalBatches = TargetCapabilities(rawValue: 1)
    /// Batches can be replayed inside the target and thrown away (savepoints, a rolled-back
    /// transaction), so a dry run learns what the target would refuse.
    public static let rehearsal = TargetCapabilities(rawValue: 2)
    /// A consistent copy of the whole target can be taken and restored.
    public static let snapshots = TargetCapabilities(rawValue: 4)
    /// Rows (a customer and its child rows) can be fingerprinted to detect changes since a plan.
    public static let rowFingerprints = TargetCapabilities(rawValue: 8)

    public var names: [String] {
        [
            (Self.transactionalBatches, "transactional batches"), (.rehearsal, "rehearsal"),
            (.snapshots, "snapshots"),
            (.rowFingerprints, "row fingerprints"),
        ].filter { contains($0.0) }.map(\.1)
    }
}

/// One thing a batch does to one customer in the target.
public struct TargetAction: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Insert or update the customer row and replace its child rows with the image (by external id).
        case upsert
        /// Same, with references to other customers left out: the first pass of a reference cycle.
        case upsertWithoutReferences = "upsert_rows"
        /// Write the references left out by the first pass (the image again, now complete).
        case references
        /// Set the customer inactive.
        case deactivate
    }

    public var kind: Kind
    public var canonicalKey: String
    public var customerId: String
    /// The image the customer has after the action. Empty when the action was read from a stored
    /// plan: its ``prepared`` rows and texts stand for it, and ``before`` is nil the same way.
    public var image: CustomerImage
    /// `inserted` or `linked`: how the crosswalk entry was made (kept when it exists).
    public var crosswalk: String
    /// The fingerprint of the target row when the plan read it (nil: the plan expected no row).
    public var expectedFingerprint: String?
    /// The row as the plan read it (the undo log's before-image).
    public var before: CustomerImage?
    /// A hash of the canonical record (and resolved references) the image was made from: a later
    /// dry run that finds the same source hash and an untouched row skips the three-way merge.
    public var sourceHash: String?
    /// What applying the action needs from its images, worked out ahead on the thread that reads the
    /// next batch, so that the writing thread only writes.
    public var prepared: PreparedImages?

    public init(
        kind: Kind, canonicalKey: String, customerId: String, image: CustomerImage, crosswalk: String = "inserted",
        before: CustomerImage? = nil
    ) {
        self.kind = kind
        self.canonicalKey = canonicalKey
        self.customerId = customerId
        self.image = image
        self.crosswalk = crosswalk
        self.before = before
    }
}

/// What applying an action needs from its images, worked out ahead: the rows of the after-image and
/// its fingerprint, and the before-image's rows and stored text.
public struct PreparedImages: Sendable, Hashable {
    /// The after-image's rows: built when read, or (a new customer read the direct way, whose rows
    /// nothing compares against) parsed from `json` when asked for.
    public var rows: CustomerRows {
        parsedRows ?? image?.rows ?? record?.image.rows ?? json.flatMap { CustomerRows.parse(json: $0)?.rows }
            ?? CustomerRows()
    }
    public var fingerprint: String
    public var beforeRows: CustomerRows?
    /// The before-image as the undo log keeps it (see ``StoredImageText``).
    public var beforeText: String?
    /// The text the target keeps as what was loaded last (see ``StoredImageText``): made ahead, or
    /// (a rehearsal's new customer, which writes no bookkeeping row) from the image when asked for.
    public var loadedText: String {
        if let madeLoadedText { return madeLoadedText }
        let image = self.image ?? record?.image ?? CustomerImage()
        return DirectImage.read(image: image)?.loadedText ?? StoredImageText.text(image.rows) { image.jsonText }
    }
    private var madeLoadedText: String?
    /// The rows as the writing thread binds them.
    var bound: BoundRows
    private var parsedRows: CustomerRows?
    private var json: String?
    /// A new customer's image rebuilt from its canonical record, read the direct way.
    private var image: CustomerImage?
    /// Or the record it is built from, when its rows were built straight from it.
    private var record: RecordImage?

    /// A canonical record with the target ids its references resolved to: an image, made when asked for.
    struct RecordImage: Sendable, Hashable {
        var customer: CanonicalCustomer
        var externalId: String
        var resolved: [String: String]

        var image: CustomerImage {
            var unresolved: [String] = []
            return CustomerImage(customer, externalId: externalId, resolve: { resolved[$0] }, unresolved: &unresolved)
        }
    }

    /// A new customer's rows built straight from its canonical record (their fingerprint checked); the
    /// last-loaded text, when built without it (a rehearsal's), is made from the record if asked for.
    static func built(_ built: DirectImage.Built, from record: RecordImage) -> PreparedImages {
        var prepared = PreparedImages(
            direct: CustomerImage(), fingerprint: built.fingerprint, loadedText: built.loadedText, bound: built.bound)
        prepared.image = nil
        prepared.record = record
        return prepared
    }

    /// From a stored plan's texts, in one pass each, without building the images. A text that is
    /// not an image reads as no rows (as `CustomerImage(json:) ?? CustomerImage()` did). A new
    /// customer whose fingerprint the plan stored is read the direct way (``DirectImage``).
    init(json: String?, beforeJSON: String?, fingerprint stored: String? = nil) {
        if beforeJSON == nil, let json, let stored, let direct = DirectImage.read(json: json) {
            self.json = json
            fingerprint = stored
            madeLoadedText = direct.loadedText
            bound = direct.bound
            return
        }
        let after = json.flatMap(CustomerRows.parse) ?? (CustomerRows(), CustomerImage().fingerprint)
        parsedRows = after.rows
        fingerprint = after.fingerprint
        beforeRows = beforeJSON.flatMap(CustomerRows.parse)?.rows
        beforeText = beforeRows.map { rows in StoredImageText.text(rows) { beforeJSON ?? "" } }
        madeLoadedText = StoredImageText.text(after.rows) { json ?? CustomerImage().jsonText }
        bound = BoundRows(after.rows)
    }

    /// A new customer's image rebuilt from its canonical record (its fingerprint already checked),
    /// read the direct way where it can be.
    static func rebuilt(_ image: CustomerImage, fingerprint: String) -> PreparedImages {
        guard let direct = DirectImage.read(image: image) else { return PreparedImages(image: image, before: nil) }
        return PreparedImages(
            direct: image, fingerprint: fingerprint, loadedText: direct.loadedText, bound: direct.bound)
    }

    /// The same for a rehearsal, which writes the business rows only: the last-loaded text is not
    /// made unless asked for (making it was a third of turning an image into rows, on the thread that
    /// replays a first load beside its planning).
    static func rebuiltForRehearsal(_ image: CustomerImage, fingerprint: String) -> PreparedImages {
        guard let bound = DirectImage.bound(image: image) else { return PreparedImages(image: image, before: nil) }
        return PreparedImages(direct: image, fingerprint: fingerprint, loadedText: nil, bound: bound)
    }

    private init(direct image: CustomerImage, fingerprint: String, loadedText: String?, bound: BoundRows) {
        self.image = image
        self.fingerprint = fingerprint
        self.madeLoadedText = loadedText
        self.bound = bound
    }

    init(image: CustomerImage, before: CustomerImage?) {
        // Each image's rows made once (splitting every path was a tenth of a delta dry run's replay).
        let rows = image.rows
        let beforeRows = before?.rows
        parsedRows = rows
        fingerprint = image.fingerprint
        self.beforeRows = beforeRows
        if let before, let beforeRows {
            beforeText = StoredImageText.text(beforeRows) { before.jsonText }
        }
        madeLoadedText = StoredImageText.text(rows) { image.jsonText }
        bound = BoundRows(rows)
    }
}

extension TargetAction {
    /// What applying needs, prepared ahead or worked out now.
    var images: PreparedImages { prepared ?? PreparedImages(image: image, before: before) }
}

/// A target row that could not be read: reported with its key, never fatal.
public struct UnreadableTargetRow: Error, Sendable, Hashable {
    public var customerId: String
    public var table: String
    public var column: String
    public var problem: String

    public var description: String {
        "target customer \(customerId): \(table).\(column) \(problem)"
    }
}

/// What custmig loaded last time for one customer.
public struct LoadedCustomer: Sendable, Hashable {
    public var image: String
    public var imageHash: String
    public var sourceHash: String?
}

/// A 128-bit hash (fingerprints, source hashes) kept in 16 bytes.
public struct Hash128: Sendable, Hashable {
    public var high: UInt64
    public var low: UInt64

    public init?(hex: String?) {
        // By bytes (``init(hexBytes:)``): the planner compares a few of these per customer, and parsing
        // two substrings with `UInt64(_:radix:)` was 4% of a delta dry run.
        guard var hex, let hash = hex.withUTF8({ Hash128(hexBytes: $0) }) else { return nil }
        self = hash
    }

    /// The hash from its 16 bytes, high word first (how the ledger stores it; a SHA-256 digest's first
    /// half); nil for any other count. Two loads, not a loop over a collection: `Data`'s iterator made
    /// reading a million stored hashes a tenth of a dry run's start.
    public init?(raw bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 16 else { return nil }
        high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// The 16 bytes `init(raw:)` reads.
    public var bytes: [UInt8] {
        (0..<16).map { index in UInt8(truncatingIfNeeded: (index < 8 ? high : low) >> UInt64(56 - 8 * (index % 8))) }
    }

    /// The 32 lowercase hex digits `init(hex:)` reads.
    public var hexText: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0, count: 32)
        for (word, offset) in [(high, 0), (low, 16)] {
            for index in 0..<16 { bytes[offset + index] = digits[Int((word >> UInt64(60 - 4 * index)) & 0xF)] }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The hashes of what custmig loaded last for one customer.
public struct LoadedHashes: Sendable, Hashable {
    public var image: Hash128
    public var source: Hash128?
}

/// A row that changed in the target since the plan read it (or a key the plan expected absent that
/// now exists): the cutover does not overwrite it.
public struct StaleRow: Sendable, Hashable, Codable {
    public var batch: Int
    public var canonicalKey: String
    public var customerId: String
    public var problem: String
}

extension StaleRow {
    /// The ids to fingerprint (the plan read a row) and those only to look for (the plan expected none:
    /// child rows cannot exist without their customer). Gathered without copying the actions: a copy
    /// retains every image of the batch.
    static func idsToCheck(_ actions: [TargetAction]) -> (fingerprinted: [String], absent: [String]) {
        var fingerprinted: [String] = []
        var absent: [String] = []
        for action in actions where action.kind != .references {
            if action.expectedFingerprint == nil {
                absent.append(action.customerId)
            } else {
                fingerprinted.append(action.customerId)
            }
        }
        return (fingerprinted, absent)
    }

    /// The actions whose row is not as the plan read it: `fingerprints` of the rows there now (of the
    /// actions that expect one), `present` the ids among those expected absent that exist.
    static func find(
        in actions: [TargetAction], batch: Int, fingerprints: [String: String], present: Set<String>
    ) -> [StaleRow] {
        var stale: [StaleRow] = []
        for action in actions where action.kind != .references {
            if action.expectedFingerprint == nil, !present.contains(action.customerId) { continue }
            let now = fingerprints[action.customerId]
            guard now != action.expectedFingerprint || action.expectedFingerprint == nil else { continue }
            let problem =
                action.expectedFingerprint == nil
                ? "customer \(action.customerId) exists in the target now; the plan expected it absent"
                : now == nil
                    ? "customer \(action.customerId) was deleted in the target since the plan (or cannot be read)"
                    : "customer \(action.customerId) changed in the target since the plan"
            stale.append(
                StaleRow(
                    batch: batch, canonicalKey: action.canonicalKey, customerId: action.customerId, problem: problem))
        }
        return stale
    }
}

/// What applying one batch did.
public struct BatchResult: Sendable {
    public var applied: Int
    public var stale: [StaleRow]
    /// Customers a target without transactions refused while the rest of the batch landed (their
    /// call was split until they stood alone): rejects with the target's message.
    public var refused: [RefusedAction] = []
}

/// Stale rows found in a batch when the cutover was not told to skip them; nothing of the batch was applied.
public struct StaleBatch: Error, Sendable {
    public var stale: [StaleRow]
}

/// Why a target refused an action, as the target's own error codes say (never read from message text).
public enum RefusalKind: String, Sendable, Hashable, Codable {
    /// A check or not-null rule on a field (``RefusedAction/field`` names it where the target says).
    case constraint
    /// A reference to a customer or a code the target does not have (a foreign key).
    case reference
    /// A value that must be unique is taken (an external id, a key).
    case duplicate
    /// Worth retrying as it is: a lost connection, a timeout, a lock, a server asking to slow down.
    case transient
    /// Anything else: the run stops.
    case fatal
}

/// An action the target refused while a batch was applied or rehearsed; `cause` keeps the target's error.
public struct RefusedAction: Error, Sendable {
    public var batch: Int
    public var canonicalKey: String
    public var customerId: String
    public var message: String
    public var kind: RefusalKind
    /// The field the refusal is about, when the target names it (a column of a check constraint).
    public var field: String?
    public var cause: (any Error & Sendable)?

    public init(
        batch: Int, canonicalKey: String, customerId: String, message: String, kind: RefusalKind,
        field: String? = nil, cause: (any Error & Sendable)? = nil
    ) {
        self.batch = batch
        self.canonicalKey = canonicalKey
        self.customerId = customerId
        self.message = message
        self.kind = kind
        self.field = field
        self.cause = cause
    }
}
