import Foundation
import GRDB

/// The load journal's rows (crosswalk, last loaded, undo entries, checkpoints, batch layout), as the
/// PostgreSQL target keeps them in its `custmig_` tables.
extension TrytonJournal {
    static let layoutPrefix = "cutover_batches/"

    func committedBatches(planHash: String) throws -> Set<Int> {
        try queue.read { db in
            Set(try Int.fetchAll(db, sql: "SELECT batch FROM checkpoint WHERE plan_hash = ?", arguments: [planHash]))
        }
    }

    func batchLayout(planHash: String) throws -> String? {
        try queue.read { db in
            try String.fetchOne(
                db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.layoutPrefix + planHash])
        }
    }

    func recordBatchLayout(planHash: String, layout: String) throws {
        try queue.write { db in
            try db.execute(
                sql:
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                arguments: [Self.layoutPrefix + planHash, layout])
        }
    }

    func removeBatchLayout(planHash: String) throws {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [Self.layoutPrefix + planHash])
        }
    }

    func crosswalkCount(planHash: String) throws -> Int {
        try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM crosswalk WHERE plan_hash = ?", arguments: [planHash]) ?? 0
        }
    }

    func loadedCrosswalk() throws -> LoadedCrosswalk {
        try queue.read { db in
            var crosswalk = LoadedCrosswalk()
            let rows = try Row.fetchCursor(
                db, sql: "SELECT canonical_key, customer_id, image_hash, source_hash FROM crosswalk")
            while let row = try rows.next() {
                crosswalk.add(
                    key: row[0], id: row[1], image: Hash128(hex: row[2] as String?),
                    source: Hash128(hex: row[3] as String?))
            }
            return crosswalk
        }
    }

    /// Customer id (party code) -> canonical key, for the ids given.
    func keys(ofIds ids: [String]) throws -> [String: String] {
        try queue.read { db in
            var result: [String: String] = [:]
            for part in ids.chunked(900) {
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db, sql: "SELECT customer_id, canonical_key FROM crosswalk WHERE customer_id IN (\(marks))",
                    arguments: StatementArguments(Array(part)))
                {
                    result[row[0]] = row[1]
                }
            }
            return result
        }
    }

    func forEachCrosswalkEntry(_ body: (String, String, String) throws -> Void) throws {
        try queue.read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT canonical_key, customer_id, how FROM crosswalk ORDER BY canonical_key")
            while let row = try rows.next() { try body(row[0], row[1], row[2]) }
        }
    }

    func crosswalkEntry(_ reference: String) throws -> TargetCrosswalkEntry? {
        try queue.read { db in
            let select = "SELECT canonical_key, customer_id, how FROM crosswalk WHERE "
            guard
                let row = try Row.fetchOne(db, sql: select + "canonical_key = ?", arguments: [reference])
                    ?? Row.fetchOne(db, sql: select + "customer_id = ?", arguments: [reference])
            else { return nil }
            let key: String = row[0]
            let loaded = try Row.fetchOne(
                db, sql: "SELECT image, image_hash, plan_hash, loaded_at FROM loaded WHERE canonical_key = ?",
                arguments: [key])
            return TargetCrosswalkEntry(
                canonicalKey: key, customerId: row[1], how: row[2], loadedImage: loaded?[0], loadedHash: loaded?[1],
                planHash: loaded?[2], loadedAt: loaded?[3])
        }
    }

    func loaded(keys: [String], images: Bool) throws -> [String: LoadedCustomer] {
        try queue.read { db in
            var result: [String: LoadedCustomer] = [:]
            for part in keys.chunked(900) {
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db,
                    sql:
                        "SELECT canonical_key, \(images ? "image" : "''"), image_hash, source_hash FROM loaded WHERE canonical_key IN (\(marks))",
                    arguments: StatementArguments(Array(part)))
                {
                    result[row[0]] = LoadedCustomer(image: row[1], imageHash: row[2], sourceHash: row[3])
                }
            }
            return result
        }
    }

    func forgetUndo(planHashes: [String]) throws -> Int {
        try queue.write { db in
            try planHashes.reduce(0) { count, hash in
                try db.execute(sql: "DELETE FROM undo WHERE plan_hash = ?", arguments: [hash])
                return count + db.changesCount
            }
        }
    }

    // MARK: Journal primitives (``JournaledStore``'s, on an open database)

    static func journal(
        keys: [String], db: Database
    ) throws -> (loaded: [String: LoadedRecord], crosswalked: Set<String>) {
        var loaded: [String: LoadedRecord] = [:]
        var crosswalked = Set<String>()
        for part in Array(Set(keys)).chunked(900) {
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            let arguments = StatementArguments(Array(part))
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT canonical_key, image, image_hash, source_hash, plan_hash, loaded_at FROM loaded WHERE canonical_key IN (\(marks))",
                arguments: arguments)
            {
                loaded[row[0]] = LoadedRecord(
                    image: row[1], imageHash: row[2], sourceHash: row[3], planHash: row[4], loadedAt: row[5])
            }
            crosswalked.formUnion(
                try String.fetchAll(
                    db, sql: "SELECT canonical_key FROM crosswalk WHERE canonical_key IN (\(marks))",
                    arguments: arguments))
        }
        return (loaded, crosswalked)
    }

    static func recordLoaded(
        key: String, id: String, how: String, image: String, imageHash: String, sourceHash: String?, planHash: String,
        time: String, db: Database
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO crosswalk (canonical_key, customer_id, how, image_hash, source_hash, plan_hash, loaded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (canonical_key) DO UPDATE SET image_hash = excluded.image_hash,
                source_hash = COALESCE(excluded.source_hash, crosswalk.source_hash)
                """, arguments: [key, id, how, imageHash, sourceHash, planHash, time])
        try db.execute(
            sql: """
                INSERT INTO loaded (canonical_key, image, image_hash, source_hash, plan_hash, loaded_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (canonical_key) DO UPDATE SET image = excluded.image,
                image_hash = excluded.image_hash, source_hash = COALESCE(excluded.source_hash, loaded.source_hash),
                plan_hash = excluded.plan_hash, loaded_at = excluded.loaded_at
                """, arguments: [key, image, imageHash, sourceHash, planHash, time])
    }

    static func appendUndo(_ entry: UndoEntry, db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO undo (plan_hash, batch, seq, canonical_key, customer_id, before_image, after_hash,
                crosswalk_created, loaded_before, loaded_before_hash, loaded_before_source, loaded_before_plan, loaded_before_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.planHash, entry.batch, entry.seq, entry.canonicalKey, entry.customerId, entry.beforeImage,
                entry.afterHash, entry.crosswalkCreated, entry.loadedBefore?.image, entry.loadedBefore?.imageHash,
                entry.loadedBefore?.sourceHash, entry.loadedBefore?.planHash, entry.loadedBefore?.loadedAt,
            ])
    }

    func undoEntries(planHash: String, batch: Int) throws -> [UndoEntry] {
        let stride = JournaledBatch.undoSeqStride
        return try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, batch, canonical_key, customer_id, before_image, after_hash, crosswalk_created,
                    loaded_before, loaded_before_hash, loaded_before_source, loaded_before_plan, loaded_before_at
                    FROM undo WHERE plan_hash = ? AND seq >= ? AND seq < ? ORDER BY seq DESC
                    """, arguments: [planHash, batch * stride, (batch + 1) * stride]
            ).map { row in
                UndoEntry(
                    planHash: planHash, batch: row[1], seq: row[0], canonicalKey: row[2], customerId: row[3],
                    beforeImage: row[4], afterHash: row[5], crosswalkCreated: row[6],
                    loadedBefore: (row[7] as String?).map {
                        LoadedRecord(
                            image: $0, imageHash: row[8] ?? "", sourceHash: row[9], planHash: row[10], loadedAt: row[11]
                        )
                    })
            }
        }
    }

    func undoBatches(planHash: String) throws -> [Int] {
        try queue.read { db in
            try Int.fetchAll(
                db, sql: "SELECT DISTINCT seq / ? FROM undo WHERE plan_hash = ? ORDER BY 1 DESC",
                arguments: [JournaledBatch.undoSeqStride, planHash])
        }
    }

    func removeUndo(planHash: String, batch: Int) throws {
        let stride = JournaledBatch.undoSeqStride
        try queue.write { db in
            try db.execute(
                sql: "DELETE FROM undo WHERE plan_hash = ? AND seq >= ? AND seq < ?",
                arguments: [planHash, batch * stride, (batch + 1) * stride])
        }
    }

    func removeCrosswalk(keys: [String]) throws {
        try queue.write { db in
            for key in keys { try db.execute(sql: "DELETE FROM crosswalk WHERE canonical_key = ?", arguments: [key]) }
        }
    }

    func forgetLoaded(keys: [String]) throws {
        try queue.write { db in
            for key in keys { try db.execute(sql: "DELETE FROM loaded WHERE canonical_key = ?", arguments: [key]) }
        }
    }

    func restoreLoaded(key: String, from entry: UndoEntry) throws {
        guard let before = entry.loadedBefore else { return try forgetLoaded(keys: [key]) }
        try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE loaded SET image = ?, image_hash = ?, source_hash = ?, plan_hash = COALESCE(?, plan_hash),
                    loaded_at = COALESCE(?, loaded_at) WHERE canonical_key = ?
                    """,
                arguments: [before.image, before.imageHash, before.sourceHash, before.planHash, before.loadedAt, key])
            try db.execute(
                sql: "UPDATE crosswalk SET image_hash = ?, source_hash = ? WHERE canonical_key = ?",
                arguments: [before.imageHash, before.sourceHash, key])
        }
    }

    static func addCheckpoint(planHash: String, batch: Int, actions: Int, time: String, db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO checkpoint (plan_hash, batch, actions, committed_at) VALUES (?, ?, ?, ?)",
            arguments: [planHash, batch, actions, time])
    }

    func removeCheckpoint(planHash: String, batch: Int) throws {
        try queue.write { db in
            try db.execute(
                sql: "DELETE FROM checkpoint WHERE plan_hash = ? AND batch = ?", arguments: [planHash, batch])
            try db.execute(sql: "DELETE FROM refusal WHERE plan_hash = ? AND batch = ?", arguments: [planHash, batch])
        }
    }

    /// Keeps a batch's refusals with its checkpoint (in the caller's transaction).
    static func addRefusals(_ refused: [RefusedAction], planHash: String, db: Database) throws {
        for refusal in refused {
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO refusal (plan_hash, batch, canonical_key, customer_id, message, kind)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    planHash, refusal.batch, refusal.canonicalKey, refusal.customerId, refusal.message,
                    refusal.kind.rawValue,
                ])
        }
    }

    func refusals(planHash: String) throws -> [RefusedAction] {
        try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.batch, r.canonical_key, r.customer_id, r.message, r.kind FROM refusal r
                    JOIN checkpoint c ON c.plan_hash = r.plan_hash AND c.batch = r.batch
                    WHERE r.plan_hash = ? ORDER BY r.batch, r.canonical_key
                    """, arguments: [planHash]
            ).map {
                RefusedAction(
                    batch: $0[0], canonicalKey: $0[1], customerId: $0[2], message: $0[3],
                    kind: RefusalKind(rawValue: $0[4]) ?? .constraint)
            }
        }
    }
}
