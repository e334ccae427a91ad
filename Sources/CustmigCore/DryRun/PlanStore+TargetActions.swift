import Foundation
import GRDB

/// The plan's applicable rows made into the target's actions, batch by batch: what the cutover applies
/// and an in-place rehearsal replays.
extension PlanStore {
    /// The target operations of one batch, in plan order, made on this task (a cutover's read-ahead
    /// runs beside its writer: on two cores, more workers only take turns with it).
    /// (The ledger has no statistics: without `INDEXED BY` SQLite walks the whole plan for each batch.)
    static func targetActions(plan: Int64, batch: Int, database: DatabasePool) throws -> [TargetAction] {
        try database.read { db in try StoredBatch(plan: plan, batch: batch, db: db).actionsInOrder() }
    }

    /// The same, the inserts rebuilt and every row's images made on every core: for a batch no replay
    /// runs beside (a rehearsal's first).
    static func targetActionsOnEveryCore(plan: Int64, batch: Int, database: DatabasePool) async throws -> [TargetAction]
    {
        let stored = try await database.read { db in try StoredBatch(plan: plan, batch: batch, db: db) }
        let rebuilt = try await stored.records.preparedOnEveryCore(stored.fetched)
        let rows = stored.rows
        return try await ParallelWork.map(rows.indices) { index in
            Result { try rows[index].targetAction(plan: plan, rebuilt: rebuilt[rows[index].key]) }
        }.map { try $0.get() }
    }

    /// The applicable actions whose `seq` lies in `seqs`, in plan order (a cutover's own batch).
    static func targetActions(plan: Int64, seqs: ClosedRange<Int64>, database: DatabasePool) throws -> [TargetAction] {
        try database.read { db in
            try StoredBatch(
                plan: plan, db: db, sql: "WHERE plan_id = ? AND seq BETWEEN ? AND ? AND batch IS NOT NULL ORDER BY seq",
                arguments: [plan, seqs.lowerBound, seqs.upperBound]
            ).actionsInOrder()
        }
    }

    /// A batch's applicable rows as stored, with the records its inserts refer to: all that making its
    /// actions needs, read in one go.
    private struct StoredBatch: Sendable {
        let plan: Int64
        let rows: [StoredAction]
        let records: PlanRecords
        let fetched: PlanRecords.Fetched

        init(plan: Int64, batch: Int, db: Database) throws {
            try self.init(
                plan: plan, db: db, sql: "INDEXED BY plan_action_by_batch WHERE plan_id = ? AND batch = ? ORDER BY seq",
                arguments: [plan, batch])
        }

        init(plan: Int64, db: Database, sql condition: String, arguments: StatementArguments) throws {
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT canonical_key, legacy_key, customer_id, action, apply_kind, image, before_image, fingerprint,
                    source_hash, image_fingerprint, record_ref, record_refs, changes
                    FROM plan_action \(condition)
                    """, arguments: arguments
            )
            self.plan = plan
            // Inserts that refer to their canonical records: rebuilt (and checked) a batch at a time.
            records = try PlanRecords(plan: plan, db: db)
            fetched = try records.fetch(rows.compactMap(PlanRecords.wanted), db: db)
            // By position, in the SELECT's order (a name is looked up case-insensitively, per row).
            self.rows = rows.map { row in
                StoredAction(
                    key: row[0], customerId: row[2], action: row[3], applyKind: row[4], image: row[5],
                    beforeImage: row[6], fingerprint: row[7], sourceHash: row[8], imageFingerprint: row[9],
                    recordRef: row[10], changes: row[12])
            }
        }

        /// The actions, made one after the other.
        func actionsInOrder() throws -> [TargetAction] {
            let rebuilt = try records.prepared(fetched)
            return try rows.map { row in try row.targetAction(plan: plan, rebuilt: rebuilt[row.key]) }
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
