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
    public static func entry(_ reference: String, workspace: Workspace, target: any Target) throws -> CrosswalkEntry {
        let legacyMatch = try workspace.ledger.database.read { db in
            try RunStore.latestFinishedMap(db: db).flatMap {
                try CanonicalStore.key(legacyKey: reference, run: $0, db: db)
            }
        }
        let found = try target.crosswalkEntry(reference) ?? legacyMatch.flatMap { try target.crosswalkEntry($0) }
        guard let found else {
            throw CustmigError(
                .usage, code: "CROSSWALK-UNKNOWN",
                "\(reference) is neither a canonical key, a target customer id nor a legacy key custmig loaded into \(target.location).",
                fix: "check the key (custmig crosswalk export lists every loaded one) or the --target.")
        }
        let customerId = found.customerId
        let planHash = found.planHash
        let plan = try planHash.flatMap { hash in
            try workspace.ledger.database.read { db in try PlanStore.plan(contentHash: hash, db: db) }
        }
        let now = try target.fingerprints(ids: [customerId])[customerId]
        let present = !(try target.existing(ids: [customerId])).isEmpty
        return CrosswalkEntry(
            canonicalKey: found.canonicalKey, customerId: customerId, how: found.how,
            loadedByPlan: plan, loadedByPlanHash: planHash, loadedAt: found.loadedAt,
            lastLoaded: found.loadedImage.flatMap(CustomerImage.init(storedText:))?.values ?? [:],
            rowNow: !present
                ? "not in the target any more"
                : now == found.loadedHash ? "as loaded" : "edited in the target since")
    }
}
