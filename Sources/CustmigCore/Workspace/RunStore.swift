import Foundation
import GRDB

/// One row of `run`: a stage's run (map or duplicates), what it read (its inputs key), and how it
/// ended (status, summary). A record type: runs are few, and read and written off the hot paths.
struct StageRun: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "run"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: Int64?
    /// `map` or `duplicates`.
    var stage: String
    /// `running`, `interrupted` (a duplicates run another replaced) or `done`.
    var status: String
    /// What makes two runs the same run: a run with the inputs key of a finished one is not run again.
    var inputsKey: String
    var mappingName: String?
    var mappingVersion: Int?
    var mappingChecksum: String?
    /// The mapping file a map run read (for `explain` and the runbooks' commands).
    var mappingFile: String?
    /// A map run's scope; a duplicates run's map run (`map-run:ID`).
    var scope: String?
    var custmigVersion: String
    var command: String
    var startedAt: Date
    var finishedAt: Date?
    /// The stage's summary as JSON, once it finished.
    var summary: String?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The stages' runs in the ledger (`run`): the one place that knows how runs are stored and found.
enum RunStore {
    static func run(_ id: Int64, db: Database) throws -> StageRun? { try StageRun.fetchOne(db, key: id) }

    /// Every run, oldest first.
    static func all(db: Database) throws -> [StageRun] { try StageRun.order(Column("id")).fetchAll(db) }

    /// Registers a new run (status `running`); returns it with its id.
    static func start(_ run: StageRun, db: Database) throws -> StageRun {
        var run = run
        try run.insert(db)
        return run
    }

    /// Marks a run done with its summary.
    static func finish(_ id: Int64, summary: String, db: Database) throws {
        try db.execute(
            sql: "UPDATE run SET status = 'done', finished_at = ?, summary = ? WHERE id = ?",
            arguments: [Date(), summary, id])
    }

    /// Marks the stage's runs that are still `running` as `interrupted` (a new run replaces them).
    static func interruptRunning(stage: String, db: Database) throws {
        try db.execute(
            sql: "UPDATE run SET status = 'interrupted' WHERE stage = ? AND status = 'running'", arguments: [stage])
    }

    /// The latest run of `stage` with these inputs (done or not): a map with the same inputs resumes it.
    static func latest(stage: String, inputsKey: String, db: Database) throws -> StageRun? {
        try StageRun.filter(Column("stage") == stage && Column("inputs_key") == inputsKey)
            .order(Column("id").desc).fetchOne(db)
    }

    /// The summary of the finished run of `stage` with these inputs, if there is one.
    static func finishedSummary(stage: String, inputsKey: String, db: Database) throws -> String? {
        try StageRun.filter(Column("stage") == stage && Column("inputs_key") == inputsKey && Column("status") == "done")
            .fetchOne(db)?.summary
    }

    /// The latest map run that finished (before `before`, when given).
    static func latestFinishedMap(before: Int64? = nil, db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT MAX(id) FROM run WHERE stage = 'map' AND status = 'done' AND id < ?",
            arguments: [before ?? Int64.max])
    }

    /// The latest finished run of `stage`.
    static func latestFinished(stage: String, db: Database) throws -> StageRun? {
        try StageRun.filter(Column("stage") == stage && Column("status") == "done").order(Column("id").desc)
            .fetchOne(db)
    }

    /// The finished duplicates runs after `run`, newest first.
    static func finishedDuplicates(after run: Int64, db: Database) throws -> [StageRun] {
        try StageRun.filter(Column("stage") == "duplicates" && Column("status") == "done" && Column("id") > run)
            .order(Column("id").desc).fetchAll(db)
    }

    /// The duplicates runs after `run` (any status).
    static func duplicates(after run: Int64, db: Database) throws -> [StageRun] {
        try StageRun.filter(Column("stage") == "duplicates" && Column("id") > run).order(Column("id")).fetchAll(db)
    }

    /// A duplicates run of `scope` after `run` that did not finish (running, or interrupted by another).
    static func unfinishedDuplicates(scope: String, after run: Int64, db: Database) throws -> Int64? {
        try StageRun.filter(
            Column("stage") == "duplicates" && ["running", "interrupted"].contains(Column("status"))
                && Column("scope") == scope && Column("id") > run
        ).order(Column("id").desc).fetchOne(db)?.id
    }

    /// The map runs started before `date`.
    /// The audit row of a map run's purge: when, what was removed (a JSON object of counts), and the
    /// command. A run purged again gets another row (with the counts that run removed, often none).
    static func recordPurge(run: Int64, removed: String, command: String, db: Database) throws {
        try db.execute(
            sql: "INSERT INTO purge (run_id, purged_at, removed, command) VALUES (?, ?, ?, ?)",
            arguments: [run, Date(), removed, command])
    }

    static func mapRuns(startedBefore date: Date, db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM run WHERE stage = 'map' AND started_at < ?", arguments: [date])
    }

    /// The mapping (name and version) a map run ran.
    static func mapping(run: Int64, db: Database) throws -> (name: String, version: Int)? {
        try Row.fetchOne(db, sql: "SELECT mapping_name, mapping_version FROM run WHERE id = ?", arguments: [run])
            .map { ($0[0], $0[1]) }
    }

    // MARK: Inputs

    /// Registers a map run's input `position`: its file, content hash, size and role.
    static func addInput(
        run: Int64, position: Int, path: String, sha256: String, size: Int64, role: String, db: Database
    ) throws {
        try db.execute(
            sql: "INSERT INTO run_input (run_id, position, path, sha256, size, role) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [run, position, path, sha256, size, role])
    }

    /// The files a run read, by input position.
    static func inputPaths(run: Int64, db: Database) throws -> [Int: String] {
        var paths: [Int: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT position, path FROM run_input WHERE run_id = ?", arguments: [run])
        {
            paths[row[0]] = row[1]
        }
        return paths
    }

    /// The file a run read as its input `position`, and its SHA-256 then.
    static func input(run: Int64, position: Int, db: Database) throws -> (path: String, sha256: String)? {
        try Row.fetchOne(
            db, sql: "SELECT path, sha256 FROM run_input WHERE run_id = ? AND position = ?", arguments: [run, position]
        ).map { ($0[0], $0[1]) }
    }
}
