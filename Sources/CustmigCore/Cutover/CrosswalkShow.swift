import Foundation
import GRDB

/// One customer as custmig's bookkeeping in the target knows it: where it went, which plan loaded it
/// last and when, what that load wrote, and whether the row is still as loaded. The "last loaded"
/// values are stored compactly (not SQL-readable); this is how an auditor or a DBA reads them.
public struct CrosswalkEntry: Sendable, Codable {
    public var canonicalKey: String
    public var customerId: String
    /// `inserted` or `linked`.
    public var how: String
    /// The ledger's number of the plan that loaded the customer last (nil: a plan of another workspace).
    public var loadedByPlan: Int64?
    public var loadedByPlanHash: String?
    public var loadedAt: String?
    /// The values the last load wrote, by path (`name1`, `address[legal-1].city`).
    public var lastLoaded: [String: String]
    /// `as loaded`, `edited in the target since`, or `not in the target any more`.
    public var rowNow: String
}

public enum CrosswalkShow {
    /// The entry of a canonical key, a target customer id, or a legacy key of the latest map run.
    public static func entry(_ reference: String, workspace: Workspace, target: SQLiteTarget) throws -> CrosswalkEntry {
        let legacyMatch = try workspace.ledger.database.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT key FROM canonical_record WHERE legacy_key = ? AND run_id = (
                    SELECT MAX(id) FROM run WHERE stage = 'map' AND status = 'done')
                    """, arguments: [reference])
        }
        let found = try target.database.read { db -> (Row, Row?)? in
            let sql = "SELECT canonical_key, customer_id, how FROM custmig_crosswalk WHERE canonical_key = ?"
            guard
                let crosswalk = try Row.fetchOne(db, sql: sql, arguments: [reference])
                    ?? Row.fetchOne(
                        db, sql: "SELECT canonical_key, customer_id, how FROM custmig_crosswalk WHERE customer_id = ?",
                        arguments: [reference])
                    ?? legacyMatch.flatMap({ try Row.fetchOne(db, sql: sql, arguments: [$0]) })
            else { return nil }
            let loaded = try Row.fetchOne(
                db, sql: "SELECT image, image_hash, plan_hash, loaded_at FROM custmig_loaded WHERE canonical_key = ?",
                arguments: [crosswalk["canonical_key"]])
            return (crosswalk, loaded)
        }
        guard let (crosswalk, loaded) = found else {
            throw CustmigError(
                .usage, code: "CROSSWALK-UNKNOWN",
                "\(reference) is neither a canonical key, a target customer id nor a legacy key custmig loaded into \(target.location).",
                fix: "check the key (custmig crosswalk export lists every loaded one) or the --target.")
        }
        let customerId: String = crosswalk["customer_id"]
        let planHash: String? = loaded?["plan_hash"]
        let plan = try planHash.flatMap { hash in
            try workspace.ledger.database.read { db in
                try Int64.fetchOne(db, sql: "SELECT id FROM plan WHERE content_hash = ?", arguments: [hash])
            }
        }
        let (now, present) = try target.database.read { db in
            (
                try SQLiteTarget.fingerprints(ids: [customerId], db: db)[customerId],
                !(try SQLiteTarget.existing(ids: [customerId], db: db)).isEmpty
            )
        }
        return CrosswalkEntry(
            canonicalKey: crosswalk["canonical_key"], customerId: customerId, how: crosswalk["how"],
            loadedByPlan: plan, loadedByPlanHash: planHash, loadedAt: loaded?["loaded_at"],
            lastLoaded: (loaded?["image"] as String?).flatMap(CustomerImage.init(storedText:))?.values ?? [:],
            rowNow: !present
                ? "not in the target any more"
                : now == (loaded?["image_hash"] as String?) ? "as loaded" : "edited in the target since")
    }
}
