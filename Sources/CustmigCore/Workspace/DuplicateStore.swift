import GRDB

/// What a duplicates run decided, in the ledger: the pairs it scored (`duplicate_pair`), the merged
/// (golden) records it made (`survivor`, stored as JSON: a few per thousand customers), and each legacy
/// key's golden key (`key_map`, as the last run decided it). The one place that knows those tables.
enum DuplicateStore {
    // MARK: Pairs

    /// A scored pair as stored: `outcome` is `merge` or `review`, `evidence` the matcher's evidence (JSON).
    struct Pair {
        let first: String
        let second: String
        let score: Double
        let outcome: String
        let evidence: String
    }

    /// Stores a run's pairs (prepared once).
    static func addPairs(_ pairs: [Pair], run: Int64, db: Database) throws {
        let insert = try db.cachedStatement(
            sql:
                "INSERT INTO duplicate_pair (run_id, first, second, score, outcome, evidence) VALUES (?, ?, ?, ?, ?, ?)"
        )
        for pair in pairs {
            try insert.execute(arguments: [run, pair.first, pair.second, pair.score, pair.outcome, pair.evidence])
        }
    }

    /// A run's pairs for review first, then by score, at most `limit`.
    static func pairs(run: Int64, limit: Int, db: Database) throws -> [Pair] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT first, second, score, outcome, evidence FROM duplicate_pair WHERE run_id = ?
                ORDER BY outcome = 'review' DESC, score DESC LIMIT ?
                """, arguments: [run, limit]
        ).map(pair)
    }

    /// A run's pairs waiting for review, highest score first.
    static func reviewPairs(run: Int64, db: Database) throws -> [Pair] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT first, second, score, outcome, evidence FROM duplicate_pair
                WHERE run_id = ? AND outcome = 'review' ORDER BY score DESC
                """, arguments: [run]
        ).map(pair)
    }

    static func reviewPairCount(run: Int64, db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM duplicate_pair WHERE run_id = ? AND outcome = 'review'", arguments: [run])
            ?? 0
    }

    /// Blanks the evidence of a run's pairs (it quotes source values); returns nothing, counts nothing.
    static func forgetEvidence(run: Int64, db: Database) throws {
        try db.execute(sql: "UPDATE duplicate_pair SET evidence = '{}' WHERE run_id = ?", arguments: [run])
    }

    private static func pair(_ row: Row) -> Pair {
        Pair(first: row[0], second: row[1], score: row[2], outcome: row[3], evidence: row[4])
    }

    // MARK: Golden records

    /// A merged record: its golden key, its members' canonical keys, its data (JSON).
    struct Survivor {
        let goldenKey: String
        let members: [String]
        let data: String
    }

    static func addSurvivor(run: Int64, goldenKey: String, members: [String], data: String, db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO survivor (run_id, golden_key, members, data) VALUES (?, ?, ?, ?)")
            .execute(arguments: [run, goldenKey, members.joined(separator: " "), data])
    }

    /// A run's merged records (`limit` of them in golden-key order, or all in storage order).
    static func survivors(run: Int64, limit: Int? = nil, withData: Bool = true, db: Database) throws -> [Survivor] {
        try Row.fetchAll(
            db,
            sql: "SELECT golden_key, members, \(withData ? "data" : "''") FROM survivor WHERE run_id = ?"
                + (limit == nil ? "" : " ORDER BY golden_key LIMIT \(limit!)"), arguments: [run]
        ).map {
            Survivor(goldenKey: $0[0], members: ($0[1] as String).split(separator: " ").map(String.init), data: $0[2])
        }
    }

    static func survivorCount(run: Int64, db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM survivor WHERE run_id = ?", arguments: [run]) ?? 0
    }

    /// The data of a duplicates run's merged records with these golden keys, by golden key, as the
    /// ledger's one reader reads stored records.
    static func survivorData(
        duplicatesRun: Int64, goldenKeys: [String], db: Database
    ) throws -> [String: CanonicalStore.Stored] {
        var result: [String: CanonicalStore.Stored] = [:]
        for part in goldenKeys.chunked(500) where !part.isEmpty {
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            for row in try Row.fetchAll(
                db, sql: "SELECT golden_key, data FROM survivor WHERE run_id = ? AND golden_key IN (\(marks))",
                arguments: StatementArguments([duplicatesRun] + Array(part)))
            {
                result[row[0]] = CanonicalStore.Stored(
                    key: row[0], legacyKey: row[0], bytes: Array((row[1] as String).utf8))
            }
        }
        return result
    }

    /// Deletes a run's merged records; returns how many.
    static func deleteSurvivors(run: Int64, db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM survivor WHERE run_id = ?", arguments: [run])
        return db.changesCount
    }

    // MARK: Key map

    /// Writes (replaces) key map rows, many per statement and bound without GRDB's boxing: one statement
    /// per row made the key map of a million customers a tenth of a duplicates run.
    static func writeKeyMap(_ rows: [(legacy: String, golden: String)], run: Int64, db: Database) throws {
        let insert = MultiRowInsert(
            db, prefix: "INSERT OR REPLACE INTO key_map (legacy_key, golden_key, run_id)", columns: 3)
        try insert.run(count: rows.count) { index, binder in
            binder.text(rows[index].legacy)
            binder.text(rows[index].golden)
            binder.int(Int(run))
        }
    }

    /// The golden key a legacy key has now (prepared once, asked per key).
    static func goldenKey(legacyKey: String, db: Database) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT golden_key FROM key_map WHERE legacy_key = ?"), arguments: [legacyKey])
    }

    /// Every (golden key, legacy key) pair in key order: a cursor for ``SortedGroups``.
    static let keyMapInOrder = "SELECT golden_key, legacy_key FROM key_map ORDER BY golden_key, legacy_key"
}
