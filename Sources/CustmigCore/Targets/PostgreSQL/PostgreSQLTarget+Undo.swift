import Foundation

/// The surgical rollback in the PostgreSQL target: the undo log read back batch by batch, each batch
/// undone in one transaction with its entries and checkpoint.
extension PostgreSQLTarget {
    public func undoBatches(planHash: String) throws -> [Int] {
        try connection.execute(
            "SELECT DISTINCT (seq / $1::bigint)::text AS b, seq / $1::bigint FROM custmig_undo WHERE plan_hash = $2 ORDER BY 2 DESC",
            [String(Self.undoSeqStride), planHash]
        ).compactMap { $0[0].flatMap { Int($0) } }
    }

    public func undo(batch: Int, planHash: String, isLast: Bool) throws -> UndoOutcome {
        var result = UndoOutcome()
        do {
            try connection.transaction {
                let entries = try connection.execute(
                    """
                    SELECT seq::text, customer_id, canonical_key, after_hash, before_image, crosswalk_created::text,
                    loaded_before, loaded_before_hash, loaded_before_source, loaded_before_plan, loaded_before_at
                    FROM custmig_undo WHERE plan_hash = $1 AND seq >= $2 AND seq < $3 ORDER BY seq DESC
                    """,
                    [planHash, String(batch * Self.undoSeqStride), String((batch + 1) * Self.undoSeqStride)])
                var restoredIds = Set<String>()
                for entry in entries {
                    let (id, key, afterHash) = (entry[1] ?? "", entry[2] ?? "", entry[3] ?? "")
                    let before = entry[4].flatMap(StoredImageText.rows)
                    let rowsNow: CustomerRows? =
                        if case .success(let rows)? = try rows(ids: [id])[id] { rows } else { nil }
                    let current = rowsNow?.fingerprint
                    var undone = false
                    if current == nil && before == nil {
                        // Already gone.
                    } else if current != afterHash {
                        result.kept.append(
                            "\(key) (\(id)): \(current == nil ? "deleted in the target since the cutover" : "edited in the target since the cutover")"
                        )
                    } else if let before {
                        try writeRows(
                            TargetAction(kind: .upsert, canonicalKey: key, customerId: id, image: CustomerImage()),
                            rows: before, before: rowsNow)
                        if restoredIds.insert(id).inserted { result.restored += 1 }
                        undone = true
                    } else if let referrer = try connection.value(
                        """
                        SELECT customer_id FROM customer WHERE parent_id = $1 AND customer_id <> $1
                        UNION SELECT customer_id FROM partner_function WHERE partner_id = $1 AND customer_id <> $1 LIMIT 1
                        """, [id])
                    {
                        result.kept.append(
                            "\(key) (\(id)): referenced by customer \(referrer), which the cutover did not create")
                    } else {
                        for table in TargetSchema.childTables.reversed() {
                            try connection.execute("DELETE FROM \(table) WHERE customer_id = $1", [id])
                        }
                        try connection.execute("DELETE FROM customer WHERE customer_id = $1", [id])
                        result.deleted += 1
                        if restoredIds.remove(id) != nil { result.restored -= 1 }
                        undone = true
                    }
                    if undone {
                        if entry[5] == "1" {
                            try connection.execute("DELETE FROM custmig_crosswalk WHERE canonical_key = $1", [key])
                        }
                        if let image = entry[6] {
                            try connection.execute(
                                """
                                UPDATE custmig_loaded SET image = $1, image_hash = $2, source_hash = $3,
                                plan_hash = COALESCE($4, plan_hash), loaded_at = COALESCE($5, loaded_at) WHERE canonical_key = $6
                                """, [image, entry[7], entry[8], entry[9], entry[10], key])
                            try connection.execute(
                                "UPDATE custmig_crosswalk SET image_hash = $1, source_hash = $2 WHERE canonical_key = $3",
                                [entry[7], entry[8], key])
                        } else {
                            try connection.execute("DELETE FROM custmig_loaded WHERE canonical_key = $1", [key])
                        }
                    }
                    try connection.execute(
                        "DELETE FROM custmig_undo WHERE plan_hash = $1 AND seq = $2", [planHash, entry[0]])
                }
                try connection.execute(
                    "DELETE FROM custmig_checkpoint WHERE plan_hash = $1 AND batch = $2", [planHash, String(batch)])
                if isLast {
                    try connection.execute("DELETE FROM custmig_meta WHERE key = $1", [Self.layoutKey(planHash)])
                }
            }
        } catch let error as PGError {
            throw Self.failure(error, doing: "undo batch \(batch + 1)", location: postgres)
        }
        return result
    }
}
