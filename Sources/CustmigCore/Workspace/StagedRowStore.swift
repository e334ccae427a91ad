import GRDB

/// The rows of a map run's joined files (`staged_row`), kept until their primary records are mapped:
/// staged many per statement, read back by key in the order they were staged, claimed by the records
/// that take them; what no record claimed is an orphan.
enum StagedRowStore {
    /// A staged row: its join key, its place in its input, and its text (``StagedRowText``).
    struct Staged {
        let key: String
        let index: Int
        let data: String
    }

    /// Stages rows of `source` (many per statement, bound without GRDB's boxing: 1.74M table rows of
    /// 200,000 customers took 8–9 s of a 27 s map one statement a row).
    static func add(_ rows: [Staged], run: Int64, source: String, input: Int, db: Database) throws {
        try MultiRowInsert(
            db, prefix: "INSERT INTO staged_row (run_id, source, key, input, record_index, data)", columns: 6
        ).run(count: rows.count) { index, bind in
            bind.int(Int(run))
            bind.text(source)
            bind.text(rows[index].key)
            bind.int(input)
            bind.int(rows[index].index)
            bind.text(rows[index].data)
        }
    }

    /// The staged rows of `source` with these keys, by key, each key's rows in staging order.
    static func rows(run: Int64, source: String, keys: [String], db: Database) throws -> [String: [String]] {
        var rowsByKey: [String: [String]] = [:]
        for part in keys.chunked(500) where !part.isEmpty {
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT key, data FROM staged_row WHERE run_id = ? AND source = ? AND key IN (\(marks))
                    ORDER BY key, rowid
                    """,
                arguments: StatementArguments([run, source] as [DatabaseValueConvertible])
                    + StatementArguments(Array(part)))
            while let row = try rows.next() { rowsByKey[row[0], default: []].append(row[1]) }
        }
        return rowsByKey
    }

    /// Marks the rows records took (`claims`: source, key), in the chunk's transaction.
    static func claim(_ claims: [(String, String)], run: Int64, db: Database) throws {
        guard !claims.isEmpty else { return }
        let claim = try RawStatement(
            db, sql: "UPDATE staged_row SET claimed = 1 WHERE run_id = ? AND source = ? AND key = ?")
        for (source, key) in claims {
            try claim.run { bind in
                bind.int(Int(run))
                bind.text(source)
                bind.text(key)
            }
        }
    }

    /// Rows no record claimed, per source: how many, under how many keys, and a few of those keys.
    static func orphans(run: Int64, db: Database) throws -> [MapSummary.Orphans] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT source, COUNT(*) AS rows, COUNT(DISTINCT key) AS keys, GROUP_CONCAT(DISTINCT key) AS sample
                FROM staged_row WHERE run_id = ? AND claimed = 0 GROUP BY source ORDER BY source
                """, arguments: [run]
        ).map { row in
            MapSummary.Orphans(
                source: row["source"], rows: row["rows"], keys: row["keys"],
                examples: Array(((row["sample"] as String?) ?? "").split(separator: ",").prefix(5).map(String.init)))
        }
    }

    static func delete(run: Int64, db: Database) throws {
        try db.execute(sql: "DELETE FROM staged_row WHERE run_id = ?", arguments: [run])
    }
}
