import Foundation
import GRDB

/// custmig's bookkeeping in the SQLite target (`custmig_` tables) as the stages ask for it.
extension SQLiteTarget {
    static func layoutKey(_ planHash: String) -> String { "cutover_batches/" + planHash }

    public func batchLayout(planHash: String) throws -> String? {
        try database.read { db in
            try String.fetchOne(
                db, sql: "SELECT value FROM custmig_meta WHERE key = ?", arguments: [Self.layoutKey(planHash)])
        }
    }

    public func recordBatchLayout(planHash: String, layout: String) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO custmig_meta (key, value) VALUES (?, ?)",
                arguments: [Self.layoutKey(planHash), layout])
        }
    }

    public func crosswalkCount(planHash: String) throws -> Int {
        try database.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM custmig_crosswalk WHERE plan_hash = ?", arguments: [planHash])
                ?? 0
        }
    }

    public func forEachCrosswalkEntry(_ body: (String, String, String) throws -> Void) throws {
        try database.read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT canonical_key, customer_id, how FROM custmig_crosswalk ORDER BY canonical_key")
            while let row = try rows.next() { try body(row[0], row[1], row[2]) }
        }
    }

    public func crosswalkEntry(_ reference: String) throws -> TargetCrosswalkEntry? {
        try database.read { db in
            let select = "SELECT canonical_key, customer_id, how FROM custmig_crosswalk WHERE "
            guard
                let row = try Row.fetchOne(db, sql: select + "canonical_key = ?", arguments: [reference])
                    ?? Row.fetchOne(db, sql: select + "customer_id = ?", arguments: [reference])
            else { return nil }
            let loaded = try Row.fetchOne(
                db, sql: "SELECT image, image_hash, plan_hash, loaded_at FROM custmig_loaded WHERE canonical_key = ?",
                arguments: [row["canonical_key"]])
            return TargetCrosswalkEntry(
                canonicalKey: row["canonical_key"], customerId: row["customer_id"], how: row["how"],
                loadedImage: loaded?["image"], loadedHash: loaded?["image_hash"], planHash: loaded?["plan_hash"],
                loadedAt: loaded?["loaded_at"])
        }
    }

    public func forgetUndo(planHashes: [String]) throws -> Int {
        try database.write { db in
            var count = 0
            for hash in planHashes {
                try db.execute(sql: "DELETE FROM custmig_undo WHERE plan_hash = ?", arguments: [hash])
                count += db.changesCount
            }
            return count
        }
    }

    public func existing(ids: [String]) throws -> Set<String> {
        try database.read { db in try Self.existing(ids: ids, db: db) }
    }

    /// Counts on a read-only connection of its own (WAL: it sees the committed target, never a
    /// rehearsal's or a batch's uncommitted writes).
    public func controlTotalsReader() throws -> @Sendable () throws -> ControlTotals {
        let reader = try readers(1)[0]
        return { try ControlTotals.read(database: reader) }
    }
}
