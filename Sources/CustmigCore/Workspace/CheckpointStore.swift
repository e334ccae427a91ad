import Foundation
import GRDB

/// Where each input of a map run stands (`checkpoint`): committed with every chunk in the chunk's own
/// transaction, read when a killed run resumes, and summed for the run's counts.
enum CheckpointStore {
    /// An input's checkpoint: where reading resumes and what was counted so far.
    struct Checkpoint {
        var position: ReadPosition
        var done: Bool
        var counts: InputCounts
    }

    /// The checkpoint of a new input: nothing read yet.
    static func start(run: Int64, input: Int, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO checkpoint (run_id, input, byte_offset, line, record_index, records, done, counts, updated_at)
                VALUES (?, ?, NULL, 0, 1, 0, 0, '{}', ?)
                """, arguments: [run, input, Date()])
    }

    static func read(run: Int64, input: Int, db: Database) throws -> Checkpoint? {
        try Row.fetchOne(
            db,
            sql: "SELECT byte_offset, line, record_index, done, counts FROM checkpoint WHERE run_id = ? AND input = ?",
            arguments: [run, input]
        ).map { row in
            Checkpoint(
                position: ReadPosition(byteOffset: row[0], line: row[1], recordIndex: row[2]), done: row[3],
                counts: (try? JSONDecoder().decode(InputCounts.self, from: Data((row[4] as String).utf8)))
                    ?? InputCounts())
        }
    }

    /// Moves an input's checkpoint on to `next` (in the transaction that commits what was read before it).
    static func advance(
        run: Int64, input: Int, to next: ReadPosition, done: Bool, counts: InputCounts, db: Database
    ) throws {
        try db.execute(
            sql: """
                UPDATE checkpoint SET byte_offset = ?, line = ?, record_index = ?, records = ?, done = ?, counts = ?,
                updated_at = ? WHERE run_id = ? AND input = ?
                """,
            arguments: [
                next.byteOffset, next.line, next.recordIndex, counts.read, done,
                String(decoding: try encoder.encode(counts), as: UTF8.self), Date(), run, input,
            ])
    }

    /// Keys in order: the same counts are the same text in every run (the restart tests compare ledgers).
    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// The counts of a run's primary inputs (joined files are counted by their staging).
    static func primaryCounts(run: Int64, db: Database) throws -> [InputCounts] {
        try String.fetchAll(
            db,
            sql: """
                SELECT c.counts FROM checkpoint c JOIN run_input i ON i.run_id = c.run_id AND i.position = c.input
                WHERE c.run_id = ? AND i.role = 'primary'
                """, arguments: [run]
        ).compactMap { try? JSONDecoder().decode(InputCounts.self, from: Data($0.utf8)) }
    }

    /// A run's inputs with their checkpoints, in input order (for `status`).
    struct Input {
        let path: String
        let sha256: String
        let records: Int
        let done: Bool
        let recordIndex: Int
        let line: Int
    }

    static func inputs(run: Int64, db: Database) throws -> [Input] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT i.path, i.sha256, c.records, c.done, c.record_index, c.line FROM run_input i
                JOIN checkpoint c ON c.run_id = i.run_id AND c.input = i.position
                WHERE i.run_id = ? ORDER BY i.position
                """, arguments: [run]
        ).map { Input(path: $0[0], sha256: $0[1], records: $0[2], done: $0[3], recordIndex: $0[4], line: $0[5]) }
    }
}
