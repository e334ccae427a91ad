import Foundation
import GRDB

/// The plan's applicable rows made into the target's actions, batch by batch: what the cutover applies
/// and an in-place rehearsal replays.
extension PlanStore {
    /// The target operations of one batch, in plan order.
    /// (The ledger has no statistics: without `INDEXED BY` SQLite walks the whole plan for each batch.)
    /// `parallel`: rebuild inserts from their records on every core; `parallelImages`: make the other
    /// rows' images on every core too (for a batch no replay runs beside, such as a rehearsal's first).
    static func targetActions(
        plan: Int64, batch: Int, database: DatabasePool, parallel: Bool = true, parallelImages: Bool = false
    ) throws -> [TargetAction] {
        try targetActions(
            plan: plan, database: database, parallel: parallel, parallelImages: parallelImages,
            sql: "INDEXED BY plan_action_by_batch WHERE plan_id = ? AND batch = ? ORDER BY seq",
            arguments: [plan, batch])
    }

    /// The applicable actions whose `seq` lies in `seqs`, in plan order (a cutover's own batch).
    static func targetActions(
        plan: Int64, seqs: ClosedRange<Int64>, database: DatabasePool, parallel: Bool = true
    ) throws -> [TargetAction] {
        try targetActions(
            plan: plan, database: database, parallel: parallel,
            sql: "WHERE plan_id = ? AND seq BETWEEN ? AND ? AND batch IS NOT NULL ORDER BY seq",
            arguments: [plan, seqs.lowerBound, seqs.upperBound])
    }

    private static func targetActions(
        plan: Int64, database: DatabasePool, parallel: Bool, parallelImages: Bool = false, sql condition: String,
        arguments: StatementArguments
    ) throws -> [TargetAction] {
        try database.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT canonical_key, legacy_key, customer_id, action, apply_kind, image, before_image, fingerprint,
                    source_hash, image_fingerprint, record_ref, record_refs, changes
                    FROM plan_action \(condition)
                    """, arguments: arguments
            )
            // Inserts that refer to their canonical records: rebuilt (and checked) a batch at a time.
            let records = try PlanRecords(plan: plan, db: db)
            let rebuilt = try records.prepared(rows.compactMap(PlanRecords.wanted), db: db, parallel: parallel)
            // By position, in the SELECT's order (a name is looked up case-insensitively, per row).
            let read = { (row: Row) in
                StoredAction(
                    key: row[0], customerId: row[2], action: row[3], applyKind: row[4], image: row[5],
                    beforeImage: row[6], fingerprint: row[7], sourceHash: row[8], imageFingerprint: row[9],
                    recordRef: row[10], changes: row[12])
            }
            guard parallelImages else {
                // One row's texts at a time: a batch of updates holds ~1 KB of before-image per row.
                return try rows.map { row in
                    let stored = read(row)
                    return try stored.targetAction(plan: plan, rebuilt: rebuilt[stored.key])
                }
            }
            let stored = rows.map(read)
            return try ParallelMap.map(stored.indices) { index in
                Result { try stored[index].targetAction(plan: plan, rebuilt: rebuilt[stored[index].key]) }
            }.map { try $0.get() }
        }
    }

    /// One applicable row as stored, made into the target's action straight from its texts (on the
    /// thread that reads ahead): the images themselves are built only for an update stored as changes.
    private struct StoredAction: Sendable {
        var key: String
        var customerId: String
        var action: String
        var applyKind: String?
        var image: String?
        var beforeImage: String?
        var fingerprint: String?
        var sourceHash: String?
        var imageFingerprint: String?
        var recordRef: String?
        var changes: String?

        func targetAction(plan: Int64, rebuilt: PreparedImages?) throws -> TargetAction {
            var action = TargetAction(
                kind: applyKind.flatMap(TargetAction.Kind.init(rawValue:)) ?? .upsert, canonicalKey: key,
                customerId: customerId, image: CustomerImage(),
                crosswalk: self.action == "link" ? "linked" : "inserted")
            action.expectedFingerprint = fingerprint
            action.sourceHash = sourceHash
            if recordRef == ChangedImage.marker {
                let before = beforeImage.flatMap { CustomerImage(json: $0) }
                let after = try ChangedImage.image(
                    before: before, changes: changes, fingerprint: imageFingerprint, key: key, plan: plan)
                action.prepared = PreparedImages(image: after, before: before)
            } else {
                action.prepared =
                    rebuilt ?? PreparedImages(json: image, beforeJSON: beforeImage, fingerprint: imageFingerprint)
            }
            return action
        }
    }
}
