import Foundation
import GRDB

/// Writes one map run's chunks into the ledger: records (with the `same_key` policy), findings,
/// malformed records, unique values and the checkpoint, all in one transaction per chunk.
final class MapLedgerWriter {
    let ledger: Ledger
    let run: Int64
    let policy: SameKeyPolicy
    /// Fingerprints of the legacy keys stored in this run, so that only repeats cost a lookup.
    private var keys = FingerprintTable(capacity: 1 << 16)
    private let encoder: JSONEncoder

    init(ledger: Ledger, run: Int64, policy: SameKeyPolicy) throws {
        self.ledger = ledger
        self.run = run
        self.policy = policy
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try ledger.database.read { db in
            let rows = try String.fetchCursor(
                db, sql: "SELECT legacy_key FROM canonical_record WHERE run_id = ?", arguments: [run])
            while let key = try rows.next() { keys.insert(MapLedgerWriter.fingerprint(key)) }
        }
    }

    static func fingerprint(_ key: String) -> UInt64 {
        ValueHash.hash(key)
    }

    func uniqueValues() throws -> [UniqueValue] {
        try ledger.database.read { db in
            try Row.fetchAll(db, sql: "SELECT rule, value FROM unique_value WHERE run_id = ?", arguments: [run]).map {
                UniqueValue(rule: $0["rule"], value: $0["value"])
            }
        }
    }

    /// Commits a chunk and the checkpoint that follows it; returns the chunk's superseded count.
    @discardableResult
    func commit(_ chunk: MapChunk, input: Int, next: ReadPosition, done: Bool, counts: inout InputCounts) throws -> Int
    {
        var superseded = 0
        try ledger.database.write { db in
            // Bound straight through SQLite's API (GRDB's argument boxing cost the ledger's thread more
            // than SQLite's own work on these rows), many rows per statement. A key met before in this
            // run goes alone, after what is pending: it may replace a stored record.
            let records = MultiRowInsert(
                db,
                prefix: """
                    INSERT OR REPLACE INTO canonical_record
                    (run_id, legacy_key, key, status, sequence, data, refs, source_input, source_line, source_offset,
                    source_index, data_hash)
                    """, columns: 12)
            let findings = MultiRowInsert(
                db,
                prefix: """
                    INSERT INTO finding (run_id, legacy_key, outcome, rule, field, value, message, fix,
                    source_input, source_line, source_index)
                    """, columns: 11)
            let runId = Int(run)
            var pending: [(item: Int, legacyKey: String)] = []
            var pendingFindings: [(item: Int, finding: Int)] = []
            func flush() throws {
                try records.run(count: pending.count) { index, bind in
                    let (item, legacyKey) = pending[index]
                    let record = chunk.items[item]
                    bind.int(runId)
                    bind.text(legacyKey)
                    bind.text(record.key ?? legacyKey)
                    bind.text(record.status)
                    bind.text(record.sequence)
                    bind.text(record.json)
                    bind.text(record.references)
                    bind.int(input)
                    bind.int(record.position.line)
                    bind.optionalInt(record.position.byteOffset.map(Int.init))
                    bind.int(record.position.index)
                    bind.text(record.jsonHash)
                }
                try findings.run(count: pendingFindings.count) { index, bind in
                    let (item, number) = pendingFindings[index]
                    let record = chunk.items[item]
                    let finding = record.findings[number]
                    bind.int(runId)
                    bind.text(record.storedKey(input: input))
                    bind.text(finding.outcome.rawValue)
                    bind.text(finding.rule)
                    bind.text(finding.field)
                    bind.text(finding.value)
                    bind.text(finding.message)
                    bind.text(finding.fix)
                    bind.int(input)
                    bind.int(record.position.line)
                    bind.int(record.position.index)
                }
                pending.removeAll(keepingCapacity: true)
                pendingFindings.removeAll(keepingCapacity: true)
            }
            for (number, item) in chunk.items.enumerated() {
                let legacyKey = item.storedKey(input: input)
                let fingerprint = MapLedgerWriter.fingerprint(legacyKey)
                // A key inserted by a transaction that then fails only costs a lookup that finds nothing.
                if !keys.insert(fingerprint) {
                    try flush()
                    if let existing = try Row.fetchOne(
                        db, sql: "SELECT sequence FROM canonical_record WHERE run_id = ? AND legacy_key = ?",
                        arguments: [run, legacyKey])
                    {
                        superseded += 1
                        guard wins(item.sequence, over: existing["sequence"]) else { continue }
                        try db.execute(
                            sql: "DELETE FROM finding WHERE run_id = ? AND legacy_key = ?", arguments: [run, legacyKey])
                    }
                }
                pending.append((number, legacyKey))
                pendingFindings += item.findings.indices.map { (number, $0) }
                for unique in item.uniqueValues {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO unique_value (run_id, rule, value) VALUES (?, ?, ?)",
                        arguments: [run, unique.rule, unique.value])
                }
            }
            try flush()
            for (source, key) in chunk.claims {
                try db.cachedStatement(
                    sql: "UPDATE staged_row SET claimed = 1 WHERE run_id = ? AND source = ? AND key = ?"
                ).execute(arguments: [run, source, key])
            }
            for finding in chunk.malformed { try Self.insertMalformed(finding, run: run, input: input, db: db) }
            var updated = counts
            updated.read += chunk.read
            updated.malformed += chunk.malformed.filter { $0.severity == .error && $0.recordIndex != nil }.count
            updated.superseded += superseded
            try db.execute(
                sql: """
                    UPDATE checkpoint SET byte_offset = ?, line = ?, record_index = ?, records = ?, done = ?, counts = ?,
                    updated_at = ? WHERE run_id = ? AND input = ?
                    """,
                arguments: [
                    next.byteOffset, next.line, next.recordIndex, updated.read, done,
                    String(decoding: try encoder.encode(updated), as: UTF8.self), Date(), run, input,
                ])
            counts = updated
        }
        return superseded
    }

    /// Whether a record with `sequence` replaces the stored one under the `same_key` policy.
    private func wins(_ sequence: String?, over stored: String?) -> Bool {
        switch policy {
        case .first: return false
        case .last: return true
        case .highest:
            guard let sequence else { return false }
            guard let stored else { return true }
            if let new = Double(sequence), let old = Double(stored) { return new > old }
            return sequence > stored
        }
    }

    /// Keeps one of a reader's findings: a malformed record, or a problem with the file as a whole
    /// (kept once: a resumed run opens the file again and meets it again).
    static func insertMalformed(_ finding: Finding, run: Int64, input: Int, db: Database) throws {
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
}
