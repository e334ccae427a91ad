import GRDB

/// The statements a batch writes with, taken from the connection's statement cache once per batch
/// rather than once per row (the cache is keyed by the SQL text, hashed on every lookup).
struct ApplyStatements {
    let upsertCustomer: RawStatement
    /// By ``TargetSchema/childTables`` position.
    let insertChild: [RawStatement]
    let deleteChild: [RawStatement]
    let crosswalk: RawStatement
    let loaded: RawStatement
    let undo: RawStatement
    let deactivate: RawStatement

    init(_ db: Database) throws {
        upsertCustomer = try RawStatement(db, sql: SQLiteTarget.upsertCustomerSQL)
        insertChild = try TargetSchema.childTables.map { try RawStatement(db, sql: SQLiteTarget.insertChildSQL[$0]!) }
        deleteChild = try TargetSchema.childTables.map {
            try RawStatement(db, sql: SQLiteTarget.deleteChildSQL[$0]!)
        }
        crosswalk = try RawStatement(
            db,
            sql: """
                INSERT INTO custmig_crosswalk (canonical_key, customer_id, how, image_hash, source_hash, plan_hash, loaded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (canonical_key) DO UPDATE SET image_hash = excluded.image_hash,
                source_hash = IFNULL(excluded.source_hash, source_hash)
                """)
        loaded = try RawStatement(
            db,
            sql: """
                INSERT INTO custmig_loaded (canonical_key, image, image_hash, source_hash, plan_hash, loaded_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (canonical_key) DO UPDATE SET image = excluded.image, image_hash = excluded.image_hash,
                source_hash = IFNULL(excluded.source_hash, source_hash), plan_hash = excluded.plan_hash, loaded_at = excluded.loaded_at
                """)
        undo = try RawStatement(
            db,
            sql: """
                INSERT INTO custmig_undo (plan_hash, batch, seq, canonical_key, customer_id, before_image, after_hash,
                crosswalk_created, loaded_before, loaded_before_hash, loaded_before_source, loaded_before_plan,
                loaded_before_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        deactivate = try RawStatement(db, sql: "UPDATE customer SET status = 'inactive' WHERE customer_id = ?")
    }
}
