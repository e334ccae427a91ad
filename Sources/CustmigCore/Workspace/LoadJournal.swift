import Foundation
import GRDB

/// The ledger's mirror of each plan's load (`cutover_progress`) and of what the target refused
/// (`cutover_refusal`): what `status`, purge, the reconciliation and a resumed cutover or rollback read.
/// The target's own checkpoints stay authoritative; this is what the workspace remembers of them.
enum LoadJournal {
    /// Where a plan's cutover (or rollback) stands, as last mirrored.
    struct Progress {
        let target: String
        let batches: Int
        let committed: Int
        /// `running`, `done`, a rollback's state (``RollbackStage/rollingBack``, `rolled back…`).
        let outcome: String
    }

    static func progress(plan: Int64, db: Database) throws -> Progress? {
        try Row.fetchOne(
            db, sql: "SELECT target, batches, committed, outcome FROM cutover_progress WHERE plan_id = ?",
            arguments: [plan]
        ).map { Progress(target: $0[0], batches: $0[1], committed: $0[2], outcome: $0[3]) }
    }

    /// Mirrors a cutover's state (replacing what was mirrored before).
    static func mirror(plan: Int64, target: String, batches: Int, committed: Int, outcome: String, db: Database) throws
    {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO cutover_progress (plan_id, target, batches, committed, outcome, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [plan, target, batches, committed, outcome, Date()])
    }

    /// Updates a mirrored load's state (a rollback's progress).
    static func update(plan: Int64, committed: Int, outcome: String, db: Database) throws {
        try db.execute(
            sql: "UPDATE cutover_progress SET committed = ?, outcome = ?, updated_at = ? WHERE plan_id = ?",
            arguments: [committed, outcome, Date(), plan])
    }

    /// A plan whose load stopped part way (neither finished nor rolled back), with its map run.
    struct Unfinished {
        let plan: Int64
        let mapRun: Int64
        let committed: Int
        let batches: Int
    }

    static func unfinished(db: Database) throws -> [Unfinished] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT p.id, p.map_run, c.committed, c.batches FROM plan p JOIN cutover_progress c ON c.plan_id = p.id
                WHERE c.committed < c.batches AND c.outcome NOT LIKE 'rolled back%' ORDER BY p.id
                """
        ).map { Unfinished(plan: $0[0], mapRun: $0[1], committed: $0[2], batches: $0[3]) }
    }

    // MARK: Refusals

    /// Keeps what the target refused (a refusal seen again replaces the one kept).
    static func addRefusals(_ refused: [RefusedAction], plan: Int64, db: Database) throws {
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO cutover_refusal (plan_id, canonical_key, customer_id, batch, message, refused_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
        for refusal in refused {
            try insert.execute(
                arguments: [plan, refusal.canonicalKey, refusal.customerId, refusal.batch, refusal.message, Date()])
        }
    }

    /// Every customer the target refused at a plan's cutover, by batch and key.
    static func refusals(plan: Int64, db: Database) throws -> [CutoverRefusal] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT batch, canonical_key, customer_id, message FROM cutover_refusal WHERE plan_id = ?
                ORDER BY batch, canonical_key
                """, arguments: [plan]
        ).map { CutoverRefusal(batch: $0[0], canonicalKey: $0[1], customerId: $0[2], message: $0[3]) }
    }

    /// Blanks the target's messages (they may quote the value refused).
    static func forgetRefusalMessages(plan: Int64, db: Database) throws {
        try db.execute(
            sql: "UPDATE cutover_refusal SET message = '(purged: it quoted source values)' WHERE plan_id = ?",
            arguments: [plan])
    }
}
