import GRDB

/// What the readers of a map run could not read (`malformed`): records that are not records, and
/// problems with a file as a whole (a syntax error outside records, no record at the record path).
enum MalformedStore {
    /// Keeps one of a reader's findings; a problem with the file as a whole is kept once (a resumed run
    /// opens the file again and meets it again).
    static func add(_ finding: Finding, run: Int64, input: Int, db: Database) throws {
        let severity = finding.severity == .error ? "error" : "warning"
        guard let record = finding.recordIndex else {
            try db.cachedStatement(
                sql: """
                    INSERT INTO malformed (run_id, source_input, line, record_index, code, message, severity)
                    SELECT ?1, ?2, ?3, NULL, ?4, ?5, ?6 WHERE NOT EXISTS (
                      SELECT 1 FROM malformed WHERE run_id = ?1 AND source_input = ?2 AND record_index IS NULL
                      AND code = ?4 AND message = ?5)
                    """
            ).execute(arguments: [run, input, finding.location.line, finding.code, finding.message, severity])
            return
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO malformed (run_id, source_input, line, record_index, code, message, severity)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [run, input, finding.location.line, record, finding.code, finding.message, severity])
    }

    /// How many records of a run could not be read.
    static func recordCount(run: Int64, db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM malformed WHERE run_id = ? AND record_index IS NOT NULL", arguments: [run])
            ?? 0
    }

    /// A problem with a file as a whole, with the file's path.
    struct FileProblem {
        let path: String
        let line: Int?
        let code: String
        let message: String
        let severity: String
    }

    /// A run's problems with whole files, each once, in input and line order.
    static func fileProblems(run: Int64, db: Database) throws -> [FileProblem] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT DISTINCT i.path, m.line, m.code, m.message, m.severity FROM malformed m
                JOIN run_input i ON i.run_id = m.run_id AND i.position = m.source_input
                WHERE m.run_id = ? AND m.record_index IS NULL ORDER BY m.source_input, m.line, m.code
                """, arguments: [run]
        ).map { FileProblem(path: $0[0], line: $0[1], code: $0[2], message: $0[3], severity: $0[4]) }
    }

    /// A malformed record or file problem as the reject report lists it.
    struct Reported {
        let input: Int
        let line: Int?
        let recordIndex: Int?
        let code: String
        let message: String
    }

    /// A run's malformed records, then its file problems, each once (a resumed run meets them again).
    static func forEachReported(run: Int64, db: Database, _ body: (Reported) throws -> Void) throws {
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT DISTINCT source_input, line, record_index, code, message FROM malformed WHERE run_id = ?
                ORDER BY record_index IS NULL, source_input, line
                """, arguments: [run])
        while let row = try cursor.next() {
            try body(Reported(input: row[0], line: row[1], recordIndex: row[2], code: row[3], message: row[4]))
        }
    }
}
