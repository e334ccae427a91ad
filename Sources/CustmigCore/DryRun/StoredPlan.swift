import Foundation
import GRDB

/// One row of `plan`: a dry run's plan, what it was made from and against (map and duplicates runs,
/// target), its state (`building`, `current`, `superseded`) and, once sealed, its content hash and
/// summary. A record type: plans are few; their actions (`plan_action`) go through ``PlanStore``.
struct StoredPlan: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "plan"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: Int64?
    var status: String
    var target: String
    var targetInstance: String
    var mapRun: Int64
    var duplicatesRun: Int64?
    var contentHash: String?
    var batchSize: Int
    var supersededBy: Int64?
    var summary: String?
    var command: String
    var createdAt: Date
    var custmigVersion: String?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension PlanStore {
    static func plan(_ id: Int64, db: Database) throws -> StoredPlan? { try StoredPlan.fetchOne(db, key: id) }

    /// The plans `status` shows (sealed or superseded, not one being built), oldest first.
    static func shownPlans(db: Database) throws -> [StoredPlan] {
        try StoredPlan.filter(Column("status") != "building").order(Column("id")).fetchAll(db)
    }

    /// The plans made from a map run.
    static func plans(mapRun: Int64, db: Database) throws -> [StoredPlan] {
        try StoredPlan.filter(Column("map_run") == mapRun).order(Column("id")).fetchAll(db)
    }

    /// The ids of the plans a newer plan superseded, oldest first.
    static func supersededPlans(db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM plan WHERE status = 'superseded' ORDER BY id")
    }

    /// The plan whose content hash is `hash`.
    static func plan(contentHash hash: String, db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM plan WHERE content_hash = ?", arguments: [hash])
    }

    /// Registers a plan being built; returns its id.
    static func startPlan(_ plan: StoredPlan, db: Database) throws -> Int64 {
        var plan = plan
        try plan.insert(db)
        return plan.id!
    }

    /// Removes what a dry run killed midway left: a plan being built is worthless. (Before plans were
    /// sealed with their summary in one transaction, one killed while sealing could be current without a
    /// summary: the same, and the plan it superseded is current again.)
    static func discardUnfinishedPlans(db: Database) throws {
        try db.execute(
            sql: """
                UPDATE plan SET status = 'current', superseded_by = NULL
                WHERE superseded_by IN (SELECT id FROM plan WHERE status = 'current' AND summary IS NULL)
                """)
        try db.execute(sql: "DELETE FROM plan WHERE status = 'building' OR (status = 'current' AND summary IS NULL)")
    }
}
