/// The load journal in the PostgreSQL target (`custmig_crosswalk`, `custmig_loaded`, `custmig_undo`,
/// `custmig_checkpoint`) and its per-customer primitives, for ``JournaledBatch``.
extension PostgreSQLTarget: JournaledStore {
    /// One statement: the child rows (partner functions first, some pointing at the customer itself)
    /// in data-modifying CTEs, then the customer; the foreign keys are checked at its end.
    func deleteCustomer(_ id: String) throws { try connection.execute(Self.deleteCustomerSQL, [id]) }

    static let deleteCustomerSQL =
        "WITH "
        + TargetSchema.childTables.reversed().map { "\($0) AS (DELETE FROM \($0) WHERE customer_id = $1)" }
        .joined(separator: ", ") + " DELETE FROM customer WHERE customer_id = $1"

    func referrer(of id: String) throws -> String? {
        try connection.value(
            """
            SELECT customer_id FROM customer WHERE parent_id = $1 AND customer_id <> $1
            UNION SELECT customer_id FROM partner_function WHERE partner_id = $1 AND customer_id <> $1 LIMIT 1
            """, [id])
    }

    func journal(keys: [String]) throws -> (loaded: [String: LoadedRecord], crosswalked: Set<String>) {
        var loaded: [String: LoadedRecord] = [:]
        var crosswalked = Set<String>()
        for part in Array(Set(keys)).chunked(5_000) {
            let parameter = [PGConnection.array(part) as String?]
            for row in try connection.execute(
                "SELECT canonical_key, image, image_hash, source_hash, plan_hash, loaded_at FROM custmig_loaded WHERE canonical_key = ANY($1::text[])",
                parameter)
            {
                loaded[row[0] ?? ""] = LoadedRecord(
                    image: row[1] ?? "", imageHash: row[2] ?? "", sourceHash: row[3], planHash: row[4], loadedAt: row[5]
                )
            }
            for row in try connection.execute(
                "SELECT canonical_key FROM custmig_crosswalk WHERE canonical_key = ANY($1::text[])", parameter)
            {
                if let key = row[0] { crosswalked.insert(key) }
            }
        }
        return (loaded, crosswalked)
    }

    func recordLoaded(_ action: TargetAction, images: PreparedImages, planHash: String, time: String) throws {
        try connection.execute(
            """
            INSERT INTO custmig_crosswalk (canonical_key, customer_id, how, image_hash, source_hash, plan_hash, loaded_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (canonical_key) DO UPDATE SET image_hash = EXCLUDED.image_hash,
            source_hash = COALESCE(EXCLUDED.source_hash, custmig_crosswalk.source_hash)
            """,
            [
                action.canonicalKey, action.customerId, action.crosswalk, images.fingerprint, action.sourceHash,
                planHash,
                time,
            ])
        try connection.execute(
            """
            INSERT INTO custmig_loaded (canonical_key, image, image_hash, source_hash, plan_hash, loaded_at)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (canonical_key) DO UPDATE SET image = EXCLUDED.image,
            image_hash = EXCLUDED.image_hash, source_hash = COALESCE(EXCLUDED.source_hash, custmig_loaded.source_hash),
            plan_hash = EXCLUDED.plan_hash, loaded_at = EXCLUDED.loaded_at
            """, [action.canonicalKey, images.loadedText, images.fingerprint, action.sourceHash, planHash, time])
    }

    static let undoColumns = [
        "plan_hash", "batch", "seq", "canonical_key", "customer_id", "before_image", "after_hash", "crosswalk_created",
        "loaded_before", "loaded_before_hash", "loaded_before_source", "loaded_before_plan", "loaded_before_at",
    ]

    static func undoRow(_ entry: UndoEntry) -> [String?] {
        [
            entry.planHash, String(entry.batch), String(entry.seq), entry.canonicalKey, entry.customerId,
            entry.beforeImage, entry.afterHash, entry.crosswalkCreated ? "1" : "0", entry.loadedBefore?.image,
            entry.loadedBefore?.imageHash, entry.loadedBefore?.sourceHash, entry.loadedBefore?.planHash,
            entry.loadedBefore?.loadedAt,
        ]
    }

    func appendUndo(_ entry: UndoEntry) throws {
        try connection.execute(
            "INSERT INTO custmig_undo (\(Self.undoColumns.joined(separator: ", "))) VALUES (\((1...13).map { "$\($0)" }.joined(separator: ", ")))",
            Self.undoRow(entry))
    }

    func undoEntries(planHash: String, batch: Int) throws -> [UndoEntry] {
        let stride = JournaledBatch.undoSeqStride
        return try connection.execute(
            """
            SELECT seq::text, batch::text, canonical_key, customer_id, before_image, after_hash, crosswalk_created::text,
            loaded_before, loaded_before_hash, loaded_before_source, loaded_before_plan, loaded_before_at
            FROM custmig_undo WHERE plan_hash = $1 AND seq >= $2 AND seq < $3 ORDER BY seq DESC
            """, [planHash, String(batch * stride), String((batch + 1) * stride)]
        ).map { row in
            UndoEntry(
                planHash: planHash, batch: Int(row[1] ?? "") ?? batch, seq: Int(row[0] ?? "") ?? 0,
                canonicalKey: row[2] ?? "", customerId: row[3] ?? "", beforeImage: row[4], afterHash: row[5] ?? "",
                crosswalkCreated: row[6] == "1",
                loadedBefore: row[7].map {
                    LoadedRecord(
                        image: $0, imageHash: row[8] ?? "", sourceHash: row[9], planHash: row[10], loadedAt: row[11])
                })
        }
    }

    func removeUndo(planHash: String, batch: Int) throws {
        let stride = JournaledBatch.undoSeqStride
        try connection.execute(
            "DELETE FROM custmig_undo WHERE plan_hash = $1 AND seq >= $2 AND seq < $3",
            [planHash, String(batch * stride), String((batch + 1) * stride)])
    }

    func removeCrosswalk(keys: [String]) throws {
        for part in keys.chunked(5_000) {
            try connection.execute(
                "DELETE FROM custmig_crosswalk WHERE canonical_key = ANY($1::text[])", [PGConnection.array(part)])
        }
    }

    func forgetLoaded(keys: [String]) throws {
        for part in keys.chunked(5_000) {
            try connection.execute(
                "DELETE FROM custmig_loaded WHERE canonical_key = ANY($1::text[])", [PGConnection.array(part)])
        }
    }

    func restoreLoaded(key: String, from entry: UndoEntry) throws {
        guard let before = entry.loadedBefore else { return try forgetLoaded(keys: [key]) }
        try connection.execute(
            """
            UPDATE custmig_loaded SET image = $1, image_hash = $2, source_hash = $3,
            plan_hash = COALESCE($4, plan_hash), loaded_at = COALESCE($5, loaded_at) WHERE canonical_key = $6
            """, [before.image, before.imageHash, before.sourceHash, before.planHash, before.loadedAt, key])
        try connection.execute(
            "UPDATE custmig_crosswalk SET image_hash = $1, source_hash = $2 WHERE canonical_key = $3",
            [before.imageHash, before.sourceHash, key])
    }

    func addCheckpoint(planHash: String, batch: Int, actions: Int, time: String) throws {
        try connection.execute(
            "INSERT INTO custmig_checkpoint (plan_hash, batch, actions, committed_at) VALUES ($1, $2, $3, $4)",
            [planHash, String(batch), String(actions), time])
    }

    func removeCheckpoint(planHash: String, batch: Int) throws {
        try connection.execute(
            "DELETE FROM custmig_checkpoint WHERE plan_hash = $1 AND batch = $2", [planHash, String(batch)])
    }

    func removeBatchLayout(planHash: String) throws {
        try connection.execute("DELETE FROM custmig_meta WHERE key = $1", [Self.layoutKey(planHash)])
    }

    func savepoint(_ name: String) throws { try connection.execute("SAVEPOINT \(name)") }
    func rollback(to name: String) throws { try connection.execute("ROLLBACK TO SAVEPOINT \(name)") }
    func release(_ name: String) throws { try connection.execute("RELEASE SAVEPOINT \(name)") }
}
