import GRDB

/// The key map: each legacy key's golden key, as the last duplicates run decided it (`run_id`). The
/// dry run reads it to plan a merged customer under its survivor; the crosswalk export lists it.
enum KeyMap {
    /// Writes (replaces) the rows many per statement and bound without GRDB's boxing: one statement per
    /// row made the key map of a million customers a tenth of a duplicates run.
    static func write(_ rows: [(legacy: String, golden: String)], run: Int64, db: Database) throws {
        let insert = MultiRowInsert(
            db, prefix: "INSERT OR REPLACE INTO key_map (legacy_key, golden_key, run_id)", columns: 3)
        try insert.run(count: rows.count) { index, binder in
            binder.text(rows[index].legacy)
            binder.text(rows[index].golden)
            binder.int(Int(run))
        }
    }
}
