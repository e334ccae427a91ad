import Foundation
import GRDB

/// Where a planned insert's image comes from when its plan row does not copy it: the canonical record
/// (the plan's map run by legacy key, or its duplicates run's survivor by canonical key) with the
/// record's hash at planning, and the target ids its references resolved to then (plan order decides
/// them: a customer refers only to customers loaded before it).
struct RecordReference: Sendable, Hashable {
    enum Source: String, Sendable {
        case map
        case golden
    }

    var source: Source
    var hash: Hash128
    /// Legacy key -> target id, for every reference the image resolved.
    var resolved: [String: String]

    /// `map:HASH` or `golden:HASH`, as `record_ref` stores it.
    var text: String { "\(source.rawValue):\(hash.hexText)" }

    /// The resolved references as `record_refs` stores them (nil for none).
    var resolvedText: String? {
        guard !resolved.isEmpty else { return nil }
        var writer = JSONObjectWriter()
        for (legacy, id) in resolved.sorted(by: { $0.key < $1.key }) { writer.string(JSONKey(legacy), id) }
        return writer.finished
    }

    init(source: Source, hash: Hash128, resolved: [String: String]) {
        self.source = source
        self.hash = hash
        self.resolved = resolved
    }

    init?(text: String?, resolved: String?) {
        guard let text, let colon = text.firstIndex(of: ":"),
            let source = Source(rawValue: String(text[..<colon])),
            let hash = Hash128(hex: String(text[text.index(after: colon)...]))
        else { return nil }
        self.source = source
        self.hash = hash
        if let resolved {
            guard let object = FlatJSON.parse(resolved) else { return nil }
            self.resolved = object
        } else {
            self.resolved = [:]
        }
    }
}

/// Rebuilds the images of a plan's inserts from the canonical records they refer to, and refuses the
/// plan as stale when a record is gone (its map run purged) or no longer gives the image the plan's
/// fingerprint binds (the record changed, or a custmig that builds images differently reads it): an
/// approval covers the exact content the cutover writes.
struct PlanRecords {
    let plan: Int64
    let mapRun: Int64
    let duplicatesRun: Int64?

    /// One plan row that refers to its record.
    struct Wanted {
        var key: String
        var legacyKey: String
        var reference: RecordReference
        /// The fingerprint of the image the plan was made with.
        var fingerprint: String
    }

    init(plan: Int64, db: Database) throws {
        self.plan = plan
        let stored = try PlanStore.plan(plan, db: db)
        mapRun = stored?.mapRun ?? 0
        duplicatesRun = stored?.duplicatesRun
    }

    /// The wanted row of a plan row read with `record_ref`, `record_refs` and `image_fingerprint` (nil:
    /// it keeps its image, or is no insert).
    static func wanted(_ row: Row) -> Wanted? {
        guard let text: String = row["record_ref"], text != ChangedImage.marker,
            let fingerprint: String = row["image_fingerprint"]
        else {
            return nil
        }
        guard let reference = RecordReference(text: text, resolved: row["record_refs"]) else {
            // An unreadable reference is the plan's own damage: rebuilding refuses it by name.
            return Wanted(
                key: row["canonical_key"], legacyKey: row["legacy_key"] ?? "",
                reference: RecordReference(source: .map, hash: .zero, resolved: [:]), fingerprint: "")
        }
        return Wanted(
            key: row["canonical_key"], legacyKey: row["legacy_key"] ?? "", reference: reference,
            fingerprint: fingerprint)
    }

    /// The records a set of plan rows refers to, read from the ledger: all that rebuilding their images
    /// needs, so the rebuilding can run off the database's connection, on every core.
    struct Fetched: Sendable {
        var wanted: [Wanted]
        var texts: [String: CanonicalStore.Stored]
    }

    func fetch(_ wanted: [Wanted], db: Database) throws -> Fetched {
        guard !wanted.isEmpty else { return Fetched(wanted: [], texts: [:]) }
        let records = wanted.filter { $0.reference.source == .map }
        var found = try CanonicalStore.data(run: mapRun, legacyKeys: records.map(\.legacyKey), db: db)
        if let duplicatesRun {
            let survivors = wanted.filter { $0.reference.source == .golden }.map(\.key)
            found.merge(try DuplicateStore.survivorData(duplicatesRun: duplicatesRun, goldenKeys: survivors, db: db)) {
                _, survivor in survivor
            }
        }
        return Fetched(wanted: wanted, texts: found)
    }

    /// The images of `wanted`, by canonical key, each checked against its record hash and fingerprint.
    func images(_ wanted: [Wanted], db: Database) throws -> [String: CustomerImage] {
        let fetched = try fetch(wanted, db: db)
        return try Self.collect(fetched, inOrder(fetched, image))
    }

    /// The same for records fetched already, rebuilt on every core.
    func imagesOnEveryCore(_ fetched: Fetched) async throws -> [String: CustomerImage] {
        try Self.collect(fetched, await onEveryCore(fetched, image))
    }

    /// What the cutover writes for the rows fetched, by canonical key: rebuilt, checked and prepared (on
    /// the task that reads ahead of a cutover's writer: on two cores, more workers only take turns with it).
    func prepared(_ fetched: Fetched) throws -> [String: PreparedImages] {
        try Self.collect(fetched, inOrder(fetched, prepared))
    }

    /// The same for records fetched already, prepared on every core (a batch no replay runs beside).
    func preparedOnEveryCore(_ fetched: Fetched) async throws -> [String: PreparedImages] {
        try Self.collect(fetched, await onEveryCore(fetched, prepared))
    }

    /// Each wanted row's output from its record read back (or why it cannot be made), one row at a time.
    private func inOrder<Output>(
        _ fetched: Fetched, _ output: (Wanted, CanonicalCustomer) -> Result<Output, CustmigError>
    ) -> [Result<Output, CustmigError>] {
        fetched.wanted.map { wanted in record(wanted, text: fetched.texts[wanted.key]).flatMap { output(wanted, $0) } }
    }

    private func onEveryCore<Output: Sendable>(
        _ fetched: Fetched, _ output: @escaping @Sendable (Wanted, CanonicalCustomer) -> Result<Output, CustmigError>
    ) async -> [Result<Output, CustmigError>] {
        await ParallelWork.map(fetched.wanted.indices) { index in
            let wanted = fetched.wanted[index]
            return record(wanted, text: fetched.texts[wanted.key]).flatMap { output(wanted, $0) }
        }
    }

    private static func collect<Output>(
        _ fetched: Fetched, _ results: [Result<Output, CustmigError>]
    ) throws -> [String: Output] {
        var outputs: [String: Output] = [:]
        outputs.reserveCapacity(results.count)
        for (wanted, result) in zip(fetched.wanted, results) { outputs[wanted.key] = try result.get() }
        return outputs
    }

    /// A wanted row's image from its record, checked against the plan's fingerprint.
    private func image(_ wanted: Wanted, _ customer: CanonicalCustomer) -> Result<CustomerImage, CustmigError> {
        var unresolved: [String] = []
        let resolved = wanted.reference.resolved
        let image = CustomerImage(customer, externalId: wanted.key, resolve: { resolved[$0] }, unresolved: &unresolved)
        return unresolved.isEmpty ? check(wanted, image: image) : .failure(changed(wanted))
    }

    /// A wanted row's images as the cutover writes them, from its record, checked.
    private func prepared(_ wanted: Wanted, _ customer: CanonicalCustomer) -> Result<PreparedImages, CustmigError> {
        var unresolved: [String] = []
        let record = PreparedImages.RecordImage(
            customer: customer, externalId: wanted.key, resolved: wanted.reference.resolved)
        guard
            let built = DirectImage.build(
                customer, externalId: wanted.key, resolve: { record.resolved[$0] }, unresolved: &unresolved)
        else {
            return check(wanted, image: record.image).map {
                PreparedImages.rebuilt($0, fingerprint: wanted.fingerprint)
            }
        }
        guard unresolved.isEmpty, built.fingerprint == wanted.fingerprint else { return .failure(changed(wanted)) }
        return .success(PreparedImages.built(built, from: record))
    }

    private func check(_ wanted: Wanted, image: CustomerImage) -> Result<CustomerImage, CustmigError> {
        // The fingerprint binds the image to the approved plan (the record's hash, checked up front by
        // the cutover, tells a changed record early; this tells any change that reaches the target).
        image.fingerprint == wanted.fingerprint ? .success(image) : .failure(changed(wanted))
    }

    private func describe(_ wanted: Wanted) -> String {
        wanted.reference.source == .map
            ? "canonical record \(wanted.legacyKey) of map run \(mapRun)"
            : "merged record \(wanted.key) of duplicates run \(duplicatesRun.map(String.init) ?? "(none)")"
    }

    private func changed(_ wanted: Wanted) -> CustmigError {
        stale(
            "\(describe(wanted)) changed after plan \(plan) was made from it: it no longer makes the image the plan "
                + "binds (customer \(wanted.key))")
    }

    /// The record a row refers to, read back.
    private func record(_ wanted: Wanted, text: CanonicalStore.Stored?) -> Result<CanonicalCustomer, CustmigError> {
        guard let text else {
            return .failure(
                stale(
                    "plan \(plan) loads customer \(wanted.key) from \(describe(wanted)), which is no longer in the ledger "
                        + "(purged, or its run replaced)"))
        }
        guard let customer = text.customer else {
            return .failure(stale("\(describe(wanted)) cannot be read back (customer \(wanted.key) of plan \(plan))"))
        }
        return .success(customer)
    }

    private func stale(_ message: String) -> CustmigError {
        CustmigError(
            .stalePlan, code: "PLAN-RECORD-CHANGED", message + ".",
            fix:
                "run custmig dry-run again: it plans from the records as they are now; then have the new plan approved."
        )
    }

    /// The after-image of one plan row (`batch` nil: its first row), stored or rebuilt; nil when it has none.
    static func image(plan: Int64, canonicalKey: String, batch: Int?, db: Database) throws -> CustomerImage? {
        guard let row = try PlanStore.imageRow(plan: plan, canonicalKey: canonicalKey, batch: batch, db: db)
        else { return nil }
        if let text: String = row["image"] { return CustomerImage(json: text) }
        if row["record_ref"] as String? == ChangedImage.marker {
            return try ChangedImage.image(
                before: (row["before_image"] as String?).flatMap { CustomerImage(json: $0) }, changes: row["changes"],
                fingerprint: row["image_fingerprint"],
                key: canonicalKey, plan: plan)
        }
        guard let wanted = wanted(row) else { return nil }
        return try PlanRecords(plan: plan, db: db).images([wanted], db: db)[canonicalKey]
    }

    /// Plan rows whose record is gone or changed (by the hashes the map stored), checked in one query
    /// before a cutover touches the target: the first few, and how many.
    static func changedRecords(plan: Int64, db: Database) throws -> (count: Int, first: [String]) {
        try PlanStore.rowsWithChangedRecords(plan: plan, db: db)
    }
}
