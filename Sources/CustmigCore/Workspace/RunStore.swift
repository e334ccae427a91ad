import GRDB

/// The stages' runs in the ledger (`run`): which map run is the latest finished one, the run every
/// later stage starts from by default.
enum RunStore {
    /// The latest map run that finished (before `before`, when given).
    static func latestFinishedMap(before: Int64? = nil, db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT MAX(id) FROM run WHERE stage = 'map' AND status = 'done' AND id < ?",
            arguments: [before ?? Int64.max])
    }

    /// The mapping (name and version) a map run ran.
    static func mapping(run: Int64, db: Database) throws -> (name: String, version: Int)? {
        try Row.fetchOne(db, sql: "SELECT mapping_name, mapping_version FROM run WHERE id = ?", arguments: [run])
            .map { ($0[0], $0[1]) }
    }

    /// The file a run read as its input `position`, and its SHA-256 then.
    static func input(run: Int64, position: Int, db: Database) throws -> (path: String, sha256: String)? {
        try Row.fetchOne(
            db, sql: "SELECT path, sha256 FROM run_input WHERE run_id = ? AND position = ?", arguments: [run, position]
        ).map { ($0[0], $0[1]) }
    }
}
