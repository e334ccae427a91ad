import Foundation
import GRDB

/// Plans in the ledger: what the cutover and the reconciliation read back, which plan a reference
/// names and its summary. Its other parts: the action rows (`PlanStore+Actions`), the target's actions
/// made from them (`+TargetActions`), approvals (`+Approvals`) and sealing (`+Sealing`).
public enum PlanStore {
    // MARK: What the cutover and the reconciliation read

    /// How many batches the dry run cut the plan into.
    static func batchCount(plan: Int64, db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT MAX(batch) + 1 FROM plan_action INDEXED BY plan_action_by_batch WHERE plan_id = ?",
            arguments: [plan]) ?? 0
    }

    /// The `seq` of every action the cutover applies, in plan order (for cutting batches of another size).
    static func appliedSeqs(plan: Int64, db: Database) throws -> [Int64] {
        try Int64.fetchAll(
            db, sql: "SELECT seq FROM plan_action WHERE plan_id = ? AND batch IS NOT NULL ORDER BY seq",
            arguments: [plan])
    }

    /// How many of the plan's customers have `action`.
    static func count(plan: Int64, action: PlanAction, db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM plan_action WHERE plan_id = ? AND action = ?",
            arguments: [plan, action.rawValue]) ?? 0
    }

    /// The plan's customers by action (the second pass of a reference cycle not counted again).
    static func actionCounts(plan: Int64, db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT action, COUNT(*) FROM plan_action WHERE plan_id = ? AND IFNULL(apply_kind, '') != 'references'
                GROUP BY action
                """, arguments: [plan])
        {
            counts[row[0]] = row[1]
        }
        return counts
    }

    /// The customers the target refused at the plan's cutover, with the before-image the plan read.
    static func refusedWithBefore(plan: Int64, db: Database) throws -> [(canonicalKey: String, before: String?)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT r.canonical_key, a.before_image FROM cutover_refusal r JOIN plan_action a
                ON a.plan_id = r.plan_id AND a.canonical_key = r.canonical_key
                AND IFNULL(a.apply_kind, '') != 'references' WHERE r.plan_id = ?
                """, arguments: [plan]
        ).map { ($0[0], $0[1]) }
    }

    /// Turns a planned write the rehearsal saw refused into a reject with `reason`.
    static func reject(plan: Int64, canonicalKey: String, batch: Int, reason: String, db: Database) throws {
        try db.execute(
            sql: """
                UPDATE plan_action SET action = 'reject', batch = NULL, apply_kind = NULL,
                reason = ? WHERE plan_id = ? AND canonical_key = ? AND batch = ?
                """,
            arguments: [reason, plan, canonicalKey, batch])
    }

    /// The plan's rejects in plan order (the second pass of a reference cycle left out): key, name, reason.
    static func forEachReject(
        plan: Int64, db: Database, _ body: (_ key: String, _ name: String?, _ reason: String?) throws -> Void
    ) throws {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT canonical_key, name, reason FROM plan_action
                WHERE plan_id = ? AND action = 'reject' AND IFNULL(apply_kind, '') != 'references' ORDER BY seq
                """, arguments: [plan])
        while let row = try rows.next() { try body(row[0], row[1], row[2]) }
    }

    /// Blanks what a plan's rows quote from the source (images, changes, names, reasons); returns how
    /// many rows changed.
    static func forgetSourceValues(plan: Int64, db: Database) throws -> Int {
        try db.execute(
            sql: """
                UPDATE plan_action SET before_image = NULL, image = NULL, changes = NULL, name = NULL,
                reason = NULL WHERE plan_id = ?
                """,
            arguments: [plan])
        return db.changesCount
    }

    /// A planned customer as the reconciliation checks it against the target.
    struct CheckedAction: Sendable {
        let seq: Int64
        let canonicalKey: String
        let customerId: String?
        let action: String
        let batch: Int?
        /// The target row's fingerprint when the plan read it.
        let fingerprint: String?
        let expectAbsent: Bool
        /// The written image's fingerprint (or, for plans made before it was kept, the image).
        let imageFingerprint: String?
        let image: String?
        let name: String?
    }

    /// Up to `limit` of the plan's actions after `seq` (reference passes left out), in plan order.
    static func checkedActions(plan: Int64, after seq: Int64, limit: Int, db: Database) throws -> [CheckedAction] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT seq, canonical_key, customer_id, action, batch, fingerprint, expect_absent, image_fingerprint,
                CASE WHEN image_fingerprint IS NULL THEN image END AS image, name FROM plan_action
                WHERE plan_id = ? AND seq > ? AND IFNULL(apply_kind, '') != 'references' ORDER BY seq LIMIT ?
                """, arguments: [plan, seq, limit]
        ).map {
            CheckedAction(
                seq: $0[0], canonicalKey: $0[1], customerId: $0[2], action: $0[3], batch: $0[4], fingerprint: $0[5],
                expectAbsent: $0[6], imageFingerprint: $0[7], image: $0[8], name: $0[9])
        }
    }

    /// Which plan `reference` names: a number, or `latest` (the newest current plan).
    public static func resolve(_ reference: String, ledger: Ledger) throws -> Int64 {
        let id: Int64? = try ledger.database.read { db in
            if reference == "latest" {
                return try Int64.fetchOne(
                    db, sql: "SELECT id FROM plan WHERE status != 'building' ORDER BY id DESC LIMIT 1")
            }
            guard let number = Int64(reference) else { return nil }
            return try Int64.fetchOne(
                db, sql: "SELECT id FROM plan WHERE id = ? AND status != 'building'", arguments: [number])
        }
        guard let id else {
            throw CustmigError(
                .usage, code: "PLAN-UNKNOWN", "there is no plan \"\(reference)\" in this workspace.",
                fix: "run custmig dry-run first; custmig status lists the plans (latest names the newest).")
        }
        return id
    }

    /// The target a plan was made against (its location, without password), for commands run without `--target`:
    /// the plan already says where it goes, and a cutover must not be pointed anywhere else.
    public static func targetLocation(of reference: String, ledger: Ledger) throws -> String {
        let plan = try resolve(reference, ledger: ledger)
        let location = try ledger.database.read { db in
            try String.fetchOne(db, sql: "SELECT target FROM plan WHERE id = ?", arguments: [plan])
        }
        guard let location else {
            throw CustmigError(
                .usage, code: "PLAN-UNKNOWN", "plan \(plan) names no target.",
                fix: "pass --target LOCATION (sqlite:PATH or postgresql://…).")
        }
        return location
    }

    public static func summary(plan: Int64, ledger: Ledger) throws -> PlanSummary {
        let text = try ledger.database.read { db in
            try String.fetchOne(db, sql: "SELECT summary FROM plan WHERE id = ?", arguments: [plan])
        }
        guard let text, var summary = try? JSONDecoder().decode(PlanSummary.self, from: Data(text.utf8)) else {
            throw CustmigError(
                .internalFailure, code: "PLAN-SUMMARY", "plan \(plan) has no readable summary.",
                fix: "run custmig dry-run again.")
        }
        let approval = try latestApproval(plan: plan, ledger: ledger)
        summary.approvedBy = approval?.by
        summary.approvedAt = approval?.at
        return summary
    }

}
