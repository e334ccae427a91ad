import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

extension MapStage {
    /// The role of each extract: `primary`, or the name of the joined source file it matches.
    static func roles(of extracts: [String], mapping: Mapping) throws -> [String] {
        let files = mapping.source.files
        guard !files.isEmpty else { return extracts.map { _ in "primary" } }
        return try extracts.map { path in
            let name = (path as NSString).lastPathComponent
            guard let file = files.first(where: { fnmatch($0.match, name, 0) == 0 }) else {
                throw CustmigError(
                    .usage, code: "MAP-SOURCE-FILE",
                    "\(path) matches none of the mapping's source files (\(files.map(\.match).joined(separator: ", "))).",
                    fix: "rename the extract or add a files: entry to the mapping's source.")
            }
            return file.isPrimary ? "primary" : file.name
        }
    }

    /// Stages a joined source file's rows in the ledger by key, committing chunks with checkpoints.
    static func stageInput(
        _ path: String, position: Int, file: SourceFile, mapping: Mapping, ledger: Ledger, run: Int64, chunkSize: Int
    ) throws {
        let checkpoint = try ledger.database.read { db in
            try Row.fetchOne(
                db, sql: "SELECT record_index, done, counts FROM checkpoint WHERE run_id = ? AND input = ?",
                arguments: [run, position])
        }
        guard let checkpoint, !(checkpoint["done"] as Bool) else { return }
        var counts = (try? JSONDecoder().decode(InputCounts.self, from: Data((checkpoint["counts"] as String).utf8)))
            ?? InputCounts()
        let startIndex: Int = checkpoint["record_index"]
        let reader = try ExtractOpener.open(path: path, options: mapping.source.extractOptions)
        var rows: [(key: String, index: Int, data: String)] = []
        var malformed: [Finding] = []
        func commit(next: Int, done: Bool) throws {
            try ledger.database.write { db in
                for row in rows {
                    try db.cachedStatement(
                        sql: "INSERT INTO staged_row (run_id, source, key, input, record_index, data) VALUES (?, ?, ?, ?, ?, ?)"
                    ).execute(arguments: [run, file.name, row.key, position, row.index, row.data])
                }
                for finding in malformed {
                    try MapLedgerWriter.insertMalformed(finding, run: run, input: position, db: db)
                }
                counts.read += rows.count
                counts.malformed += malformed.filter { $0.severity == .error && $0.recordIndex != nil }.count
                try db.execute(
                    sql: "UPDATE checkpoint SET record_index = ?, records = ?, done = ?, counts = ?, updated_at = ? WHERE run_id = ? AND input = ?",
                    arguments: [
                        next, counts.read, done, String(decoding: try JSONEncoder().encode(counts), as: UTF8.self), Date(),
                        run, position,
                    ])
            }
            rows = []
            malformed = []
        }
        while let record = try reader.next() {
            malformed += reader.drainFindings().filter { MapChunk.isKept($0) && ($0.recordIndex ?? Int.max) >= startIndex }
            guard record.position.index >= startIndex else { continue }
            let key = file.key.map { (record.text(atPath: $0) ?? "").trimmedWhitespace }.joined(separator: "|")
            rows.append((key, record.position.index, RecordJSON.render(record)))
            if rows.count >= chunkSize { try commit(next: record.position.index + 1, done: false) }
        }
        malformed += reader.drainFindings().filter(MapChunk.isKept)
        try commit(next: Int.max, done: true)
    }

    /// The primary record with each joined file's rows for its key as a child list.
    static func attachChildren(to record: Record, key: String, files: [SourceFile], ledger: Ledger, run: Int64) throws -> Record {
        var joined = record
        try ledger.database.read { db in
            for file in files where !file.isPrimary {
                let rows = try String.fetchAll(
                    db.cachedStatement(
                        sql: "SELECT data FROM staged_row WHERE run_id = ? AND source = ? AND key = ? ORDER BY input, record_index"),
                    arguments: [run, file.name, key])
                guard !rows.isEmpty else { continue }
                let children = rows.map { Record(fields: RecordJSON.parseFields($0), position: record.position) }
                joined.fields.append(Field(file.name, .list(children)))
            }
        }
        return joined
    }
}
