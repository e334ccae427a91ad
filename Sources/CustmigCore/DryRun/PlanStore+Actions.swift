import GRDB

/// The plan's action rows (`plan_action`) as the dry run writes them and the reports and the cutover's
/// checks read them: the only code, with ``PlanStore``, that names the table and its columns.
extension PlanStore {
    /// The ledger's table of plan actions (named for the disk-usage report's page count).
    static let actionTable = "plan_action"

    /// One action row as the planner settled it (values already in their stored form).
    struct ActionColumns {
        var plan: Int64
        var seq: Int
        var batch: Int?
        var canonicalKey: String
        var legacyKey: String?
        var customerId: String?
        var action: String
        var applyKind: String?
        var reason: String?
        var fingerprint: String?
        var expectAbsent: Bool
        var beforeImage: String?
        var image: String?
        var changes: String?
        var name: String?
        var country: String?
        var sourceHash: String?
        var imageFingerprint: String?
        var recordRef: String?
        var recordRefs: String?
        var fieldCount: Int?
        var fieldBytes: Int?
    }

    /// Inserts action rows through one prepared statement: the dry run writes one per customer, so
    /// this is a raw statement, not a record type (a GRDB record's encoding cost ~2x here).
    struct ActionInserter {
        private let statement: RawStatement

        init(_ db: Database) throws {
            statement = try RawStatement(
                db,
                sql: """
                    INSERT INTO plan_action (plan_id, seq, batch, canonical_key, legacy_key, customer_id, action, apply_kind,
                    reason, fingerprint, expect_absent, before_image, image, changes, name, country, source_hash,
                    image_fingerprint, record_ref, record_refs, field_count, field_bytes)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
        }

        func insert(_ row: ActionColumns) throws {
            try statement.run { bind in
                bind.int(Int(row.plan))
                bind.int(row.seq)
                bind.optionalInt(row.batch)
                bind.text(row.canonicalKey)
                bind.text(row.legacyKey)
                bind.text(row.customerId)
                bind.text(row.action)
                bind.text(row.applyKind)
                bind.text(row.reason)
                bind.text(row.fingerprint)
                bind.bool(row.expectAbsent)
                bind.text(row.beforeImage)
                bind.text(row.image)
                bind.text(row.changes)
                bind.text(row.name)
                bind.text(row.country)
                bind.text(row.sourceHash)
                bind.text(row.imageFingerprint)
                bind.text(row.recordRef)
                bind.text(row.recordRefs)
                bind.optionalInt(row.fieldCount)
                bind.optionalInt(row.fieldBytes)
            }
        }
    }

    // MARK: What the reports read

    /// Where each column of a report row is (``ReportColumn``): read by index, since a lookup by
    /// name lowercases the name each time (a tenth of writing a first load's reports).
    enum ReportColumn {
        static let seq = 0, canonicalKey = 1, legacyKey = 2, customerId = 3, action = 4, reason = 5, name = 6
        static let country = 7, changes = 8, image = 9, fieldCount = 13, fieldBytes = 14
    }

    /// The columns ``PlanReportRow`` reads, in ``ReportColumn``'s order.
    private static let reportColumns = """
        SELECT seq, canonical_key, legacy_key, customer_id, action, reason, name, country, changes, image, image_fingerprint,
        record_ref, record_refs, field_count, field_bytes FROM plan_action
        """

    /// The actions a person reviews (not the unchanged, not a reference cycle's second pass).
    private static let reportSelect =
        reportColumns + " WHERE plan_id = ? AND action != 'unchanged' AND IFNULL(apply_kind, '') != 'references'"

    /// The next `limit` reviewed actions in plan order after the one numbered `after` (the exports
    /// hold one chunk at a time).
    static func reportRows(plan: Int64, after: Int64?, limit: Int, db: Database) throws -> [Row] {
        try Row.fetchAll(
            db, sql: reportSelect + " AND seq > ? ORDER BY seq LIMIT ?", arguments: [plan, after ?? -1, limit])
    }

    /// The first `limit` reviewed actions of one kind, in plan order (a section of plan.html).
    static func reportRows(plan: Int64, action: PlanAction, limit: Int, db: Database) throws -> [Row] {
        try Row.fetchAll(
            db, sql: reportSelect + " AND action = ? ORDER BY seq LIMIT ?",
            arguments: [plan, action.rawValue, limit])
    }

    /// The first `limit` actions where the target's own value was kept for some field.
    static func reportRowsKeepingTarget(plan: Int64, limit: Int, db: Database) throws -> [Row] {
        try Row.fetchAll(
            db,
            sql: reportColumns
                + " WHERE plan_id = ? AND changes LIKE '%\"kept_target%' AND IFNULL(apply_kind, '') != 'references'"
                + " ORDER BY seq LIMIT ?", arguments: [plan, limit])
    }

    // MARK: One customer's image, and the records a plan refers to

    /// The columns that make one action's after-image (`batch` nil: the customer's first row).
    static func imageRow(plan: Int64, canonicalKey: String, batch: Int?, db: Database) throws -> Row? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT canonical_key, legacy_key, image, image_fingerprint, record_ref, record_refs, before_image,
                changes FROM plan_action
                WHERE plan_id = ? AND canonical_key = ? AND (? IS NULL OR batch = ?) ORDER BY seq LIMIT 1
                """, arguments: [plan, canonicalKey, batch, batch])
    }

    /// Applied rows whose canonical record is gone or changed since planning (by the hashes the map
    /// stored): how many, and the first five legacy keys. One query across the plan and the map run's
    /// records, so the check costs no more than reading the plan once.
    static func rowsWithChangedRecords(plan: Int64, db: Database) throws -> (count: Int, first: [String]) {
        let sql = """
            FROM plan_action a JOIN plan p ON p.id = a.plan_id
            LEFT JOIN canonical_record c ON c.run_id = p.map_run AND c.legacy_key = a.legacy_key
            WHERE a.plan_id = ? AND a.record_ref LIKE 'map:%' AND a.batch IS NOT NULL
            AND (c.legacy_key IS NULL OR (c.data_hash IS NOT NULL AND CASE typeof(c.data_hash)
                WHEN 'blob' THEN lower(hex(c.data_hash)) ELSE lower(c.data_hash) END != substr(a.record_ref, 5)))
            """
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) " + sql, arguments: [plan]) ?? 0
        let first =
            count == 0 ? [] : try String.fetchAll(db, sql: "SELECT a.legacy_key " + sql + " LIMIT 5", arguments: [plan])
        return (count, first)
    }
}
