import GRDB

/// The statements a batch writes with, taken from the connection's statement cache once per batch
/// rather than once per row (the cache is keyed by the SQL text, hashed on every lookup): one-row
/// statements for actions written one at a time, many-row ones for runs of new customers.
final class ApplyStatements {
    let upsertCustomer: RawStatement
    /// By ``TargetSchema/childTables`` position.
    let insertChild: [RawStatement]
    let deleteChild: [RawStatement]
    let crosswalk: RawStatement
    let loaded: RawStatement
    let undo: RawStatement
    let deactivate: RawStatement
    let db: Database

    init(_ db: Database) throws {
        self.db = db
        upsertCustomer = try RawStatement(db, sql: Self.customerSQL.oneRow)
        insertChild = try Self.childSQL.map { try RawStatement(db, sql: $0.oneRow) }
        deleteChild = try TargetSchema.childTables.map { try RawStatement(db, sql: SQLiteTarget.deleteChildSQL[$0]!) }
        crosswalk = try RawStatement(db, sql: Self.crosswalkSQL.oneRow)
        loaded = try RawStatement(db, sql: Self.loadedSQL.oneRow)
        undo = try RawStatement(db, sql: Self.undoSQL.oneRow)
        deactivate = try RawStatement(db, sql: "UPDATE customer SET status = 'inactive' WHERE customer_id = ?")
    }

    lazy var customers = Self.customerSQL.manyRows(db)
    lazy var children = Self.childSQL.map { $0.manyRows(db) }
    lazy var crosswalks = Self.crosswalkSQL.manyRows(db)
    lazy var loadeds = Self.loadedSQL.manyRows(db)
    lazy var undos = Self.undoSQL.manyRows(db)

    /// An INSERT in three parts: up to `VALUES`, how many values a row has, and what follows the rows.
    struct InsertSQL {
        let prefix: String
        let columns: Int
        let suffix: String

        var oneRow: String {
            prefix + " VALUES (" + Array(repeating: "?", count: columns).joined(separator: ", ") + ") " + suffix
        }
        func manyRows(_ db: Database) -> MultiRowInsert {
            MultiRowInsert(db, prefix: prefix, columns: columns, suffix: suffix)
        }
    }

    static let customerSQL: InsertSQL = {
        let columns = CustomerImage.customerColumns
        return InsertSQL(
            prefix: "INSERT INTO customer (customer_id, \(columns.joined(separator: ", ")))",
            columns: columns.count + 1,
            suffix:
                "ON CONFLICT (customer_id) DO UPDATE SET \(columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))"
        )
    }()

    static let childSQL: [InsertSQL] = TargetSchema.childTables.map { table in
        let columns = CustomerImage.childColumns[table]!
        return InsertSQL(
            prefix: "INSERT INTO \(table) (customer_id, \(columns.joined(separator: ", ")))",
            columns: columns.count + 1,
            suffix: "")
    }

    static let crosswalkSQL = InsertSQL(
        prefix:
            "INSERT INTO custmig_crosswalk (canonical_key, customer_id, how, image_hash, source_hash, plan_hash, loaded_at)",
        columns: 7,
        suffix: """
            ON CONFLICT (canonical_key) DO UPDATE SET image_hash = excluded.image_hash,
            source_hash = IFNULL(excluded.source_hash, source_hash)
            """)

    static let loadedSQL = InsertSQL(
        prefix: "INSERT INTO custmig_loaded (canonical_key, image, image_hash, source_hash, plan_hash, loaded_at)",
        columns: 6,
        suffix: """
            ON CONFLICT (canonical_key) DO UPDATE SET image = excluded.image, image_hash = excluded.image_hash,
            source_hash = IFNULL(excluded.source_hash, source_hash), plan_hash = excluded.plan_hash, loaded_at = excluded.loaded_at
            """)

    static let undoSQL = InsertSQL(
        prefix: """
            INSERT INTO custmig_undo (plan_hash, batch, seq, canonical_key, customer_id, before_image, after_hash,
            crosswalk_created, loaded_before, loaded_before_hash, loaded_before_source, loaded_before_plan, loaded_before_at)
            """,
        columns: 13, suffix: "")
}
