import Foundation
import GRDB

/// Who approved a plan, bound to its content hash: a changed plan needs a new approval.
extension PlanStore {
    /// Who approved the plan's current content hash, if anyone.
    static func approval(plan: Int64, ledger: Ledger) throws -> String? {
        try latestApproval(plan: plan, ledger: ledger)?.by
    }

    /// The latest approval of the plan's current content hash: who and when.
    static func latestApproval(plan: Int64, ledger: Ledger) throws -> (by: String, at: Date)? {
        try ledger.database.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT approved_by, approved_at FROM plan_approval a JOIN plan p ON p.id = a.plan_id AND p.content_hash = a.content_hash
                    WHERE a.plan_id = ? AND a.approved_by NOT LIKE '(unapproved%' ORDER BY a.approved_at DESC LIMIT 1
                    """, arguments: [plan]
            ).map { ($0["approved_by"], $0["approved_at"]) }
        }
    }

    /// Records who approved which plan hash, and when. Approving a superseded plan is refused.
    public static func approve(plan: Int64, by name: String, note: String?, ledger: Ledger) throws -> String {
        try ledger.database.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT status, content_hash, superseded_by FROM plan WHERE id = ?", arguments: [plan]),
                let hash: String = row["content_hash"]
            else {
                throw CustmigError(
                    .usage, code: "PLAN-UNKNOWN", "there is no plan \(plan).", fix: "run custmig dry-run first.")
            }
            guard row["status"] as String == "current" else {
                throw CustmigError(
                    .stalePlan, code: "PLAN-SUPERSEDED",
                    "plan \(plan) was superseded by plan \(row["superseded_by"] as Int64? ?? 0); it can no longer be approved.",
                    fix:
                        "review and approve the newer plan ("
                        + SuggestedCommand.text("approve latest --by \"NAME\"", workspace: ledger.folder) + ").")
            }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw CustmigError(
                    .usage, code: "PLAN-APPROVER", "--by is empty.",
                    fix: "name the person approving, e.g. --by \"Maria Keller (Finance)\".")
            }
            try recordApproval(plan: plan, hash: hash, by: name, note: note, db: db)
            return hash
        }
    }

    /// Records who let a plan's exact content go to the target (an approval, or a cutover's
    /// `(unapproved: …)` rehearsal marker).
    static func recordApproval(plan: Int64, hash: String, by name: String, note: String?, db: Database) throws {
        try db.execute(
            sql:
                "INSERT INTO plan_approval (plan_id, content_hash, approved_by, note, approved_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [plan, hash, name, note, Date()])
    }

    /// Who last approved this content of the plan (not a cutover's unapproved marker).
    static func approvedBy(plan: Int64, hash: String, db: Database) throws -> String? {
        try String.fetchOne(
            db,
            sql: """
                SELECT approved_by FROM plan_approval WHERE plan_id = ? AND content_hash = ?
                AND approved_by NOT LIKE '(unapproved%' ORDER BY approved_at DESC LIMIT 1
                """, arguments: [plan, hash])
    }
}
