import Foundation
import GRDB

/// The map runs' canonical records in the ledger (`canonical_record`): the one place that knows how a
/// record is stored (its columns, its indexes, the encoding of its data), so that the storage can
/// change without the stages that read it. Every function runs in the caller's read or write, so a
/// stage keeps its own transactions.
enum CanonicalStore {
    /// A record as the dry run plans from it (everything but its data).
    struct Member {
        let legacyKey: String
        let key: String
        let status: String
        /// Legacy keys it refers to, as the map stores them (see ``CanonicalCustomer/referenceText``).
        let references: String
        let dataHash: Hash128?
    }

    /// A record's data as stored, with the keys of its row (the compact encoding leaves them out):
    /// ``CompactRecord``, or JSON for records stored before it and for merged (golden) records.
    struct Stored: Sendable {
        let key: String
        let legacyKey: String
        let bytes: [UInt8]

        /// The customer the data holds (nil when it cannot be read).
        var customer: CanonicalCustomer? {
            guard CompactRecord.isJSON(bytes) else {
                return bytes.withUnsafeBufferPointer { CompactRecord.decode($0, key: key, legacyKey: legacyKey) }
            }
            return CanonicalCustomer.decode(json: String(decoding: bytes, as: UTF8.self))
        }

        /// The fields the matcher compares: a compact record reads whole (it costs less than picking),
        /// JSON through the ledger's own reader (a tenth of JSONDecoder's time), or leniently, field by
        /// field, when that reader refuses it.
        var customerForMatching: CanonicalCustomer? {
            guard CompactRecord.isJSON(bytes) else { return customer }
            let json = String(decoding: bytes, as: UTF8.self)
            return CanonicalCustomer.decodeForMatching(json: json)
                ?? (try? JSONDecoder().decode(MatchedPart.self, from: Data(json.utf8)))?.customer
        }

        /// The record hash (``CustomerSet/recordHash(_:)``): of the JSON the map renders, whatever the
        /// storage, so plans made before and after the compact format bind the same values.
        var recordHash: Hash128? {
            guard CompactRecord.isJSON(bytes) else {
                return customer?.recordHash
            }
            return Hash128(hex: CustomerSet.recordHash(String(decoding: bytes, as: UTF8.self)))
        }

        /// The account group, read without building the customer from a compact record.
        var accountGroup: String? {
            guard CompactRecord.isJSON(bytes) else {
                return bytes.withUnsafeBufferPointer { CompactRecord.accountGroup($0) }
            }
            return customer?.accountGroup
        }
    }

    /// The bytes a record's data is stored as.
    static func encode(_ customer: CanonicalCustomer) -> [UInt8] { CompactRecord.encode(customer) }

    /// A stored data column (a compact record's blob, or JSON text).
    static func bytes(_ value: DatabaseValue) -> [UInt8] {
        switch value.storage {
        case .blob(let data): return [UInt8](data)
        case .string(let text): return Array(text.utf8)
        default: return []
        }
    }

    /// A stored record hash: 16 bytes, or the 32 hex digits of records stored before.
    fileprivate static func hash(_ value: DatabaseValue) -> Hash128? {
        switch value.storage {
        case .blob(let data): return data.withUnsafeBytes { Hash128(raw: $0) }
        case .string(let text): return Hash128(hex: text)
        default: return nil
        }
    }

    // MARK: Counting

    static func count(run: Int64, db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM canonical_record WHERE run_id = ?", arguments: [run]) ?? 0
    }

    /// A run's records by status (`ok`, `review`, `rejected`).
    static func statusCounts(run: Int64, db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT status, COUNT(*) FROM canonical_record WHERE run_id = ? GROUP BY status",
            arguments: [run])
        {
            counts[row[0]] = row[1]
        }
        return counts
    }

    // MARK: Keys

    /// The canonical key `legacyKey` was mapped to in `run`.
    static func key(legacyKey: String, run: Int64, db: Database) throws -> String? {
        // Cached: a dry run resolves every referenced key this way (~100,000 at 1M customers), and
        // parsing the SQL each time was a sixth of its start.
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT key FROM canonical_record WHERE run_id = ? AND legacy_key = ?"),
            arguments: [run, legacyKey])
    }

    /// The canonical key of `legacyKey` in the latest run that mapped it.
    static func latestKey(legacyKey: String, db: Database) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(
                sql: "SELECT key FROM canonical_record WHERE \(mapRuns) AND legacy_key = ? ORDER BY run_id DESC LIMIT 1"
            ),
            arguments: [legacyKey])
    }

    /// The condition that has a lookup by legacy key alone use the primary key (run, legacy key) once
    /// per map run: the legacy key has no index of its own (a workspace holds a few runs, a run
    /// hundreds of thousands of records).
    /// The ledger's table of canonical records (named for the disk-usage report's page count).
    static let table = "canonical_record"

    static let mapRuns = "run_id IN (SELECT id FROM run WHERE stage = 'map')"

    /// A stored record's keys, status and place in its extract.
    struct Origin {
        let run: Int64
        let legacyKey: String
        let key: String
        let status: String
        let input: Int
        let line: Int
        let offset: Int?
        let index: Int
        /// The stored record's hash (``MapChunk/Item/dataHash``).
        let dataHash: Hash128?
    }

    /// The record of a legacy key (indexed), else of a canonical key (a scan), in `run` or in the
    /// latest run that has one.
    static func find(key: String, run: Int64?, db: Database) throws -> Origin? {
        for column in ["legacy_key", "key"] {
            var sql = """
                SELECT run_id, legacy_key, key, status, source_input, source_line, source_offset, source_index,
                    data_hash
                FROM canonical_record WHERE \(column == "legacy_key" ? mapRuns + " AND " : "")\(column) = ?
                """
            var arguments: StatementArguments = [key]
            if let run {
                sql += " AND run_id = ?"
                arguments += [run]
            }
            if let row = try Row.fetchOne(db, sql: sql + " ORDER BY run_id DESC LIMIT 1", arguments: arguments) {
                return Origin(
                    run: row[0], legacyKey: row[1], key: row[2], status: row[3], input: row[4], line: row[5],
                    offset: row[6], index: row[7], dataHash: hash(row[8]))
            }
        }
        return nil
    }

    /// Every legacy key of `run`.
    static func legacyKeys(run: Int64, db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT legacy_key FROM canonical_record WHERE run_id = ?", arguments: [run]))
    }

    /// Every (canonical key, legacy key) pair of every run, once each, in key order: a cursor for
    /// ``SortedGroups``.
    static let keyPairsInOrder = "SELECT DISTINCT key, legacy_key FROM canonical_record ORDER BY key, legacy_key"

    // MARK: Reading records

    /// The records of `run`, without their data, in storage order.
    static func forEachMember(run: Int64, db: Database, _ body: (Member) throws -> Void) throws {
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT legacy_key, key, status, refs, data_hash FROM canonical_record WHERE run_id = ?",
            arguments: [run])
        while let row = try cursor.next() {
            try body(
                Member(
                    legacyKey: row[0], key: row[1], status: row[2], references: row[3],
                    dataHash: hash(row[4])))
        }
    }

    /// The records of `run` with their data, in storage order (or legacy-key order); `body` returns
    /// false to stop.
    static func forEachRecord(
        run: Int64, inLegacyKeyOrder: Bool = false, db: Database, _ body: (Stored) throws -> Bool
    ) throws {
        let cursor = try Row.fetchCursor(
            db,
            sql: "SELECT key, legacy_key, data FROM canonical_record WHERE run_id = ?"
                + (inLegacyKeyOrder ? " ORDER BY legacy_key" : ""), arguments: [run])
        while let row = try cursor.next() {
            guard try body(Stored(key: row[0], legacyKey: row[1], bytes: bytes(row[2]))) else { return }
        }
    }

    /// The data of the records of `run` with these legacy keys, by canonical key.
    static func data(run: Int64, legacyKeys: [String], db: Database) throws -> [String: Stored] {
        var result: [String: Stored] = [:]
        for part in legacyKeys.chunked(500) where !part.isEmpty {
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            for row in try Row.fetchAll(
                db,
                sql: "SELECT key, legacy_key, data FROM canonical_record WHERE run_id = ? AND legacy_key IN (\(marks))",
                arguments: StatementArguments([run] + Array(part)))
            {
                result[row[0]] = Stored(key: row[0], legacyKey: row[1], bytes: bytes(row[2]))
            }
        }
        return result
    }

    /// The data of one record of `run`.
    static func data(run: Int64, legacyKey: String, db: Database) throws -> Stored? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT key, data FROM canonical_record WHERE run_id = ? AND legacy_key = ?"),
            arguments: [run, legacyKey]
        ).map { Stored(key: $0[0], legacyKey: legacyKey, bytes: bytes($0[1])) }
    }

    /// Where a run's records that were not rejected lie in storage order (rowids), and how many there
    /// are: for reading them a span at a time, each span in its own read.
    static func unrejectedSpan(run: Int64, db: Database) throws -> (rowids: ClosedRange<Int64>?, count: Int) {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT MIN(rowid), MAX(rowid), COUNT(*) FROM canonical_record WHERE run_id = ? AND status != 'rejected'
                """, arguments: [run])
        guard let row, let low: Int64 = row[0], let high: Int64 = row[1] else { return (nil, 0) }
        return (low...high, row[2])
    }

    /// The legacy keys and data of a run's records that were not rejected, within `rowids`, in storage
    /// order. (Not through an index: a span is read in one pass over the table's pages.)
    static func unrejected(run: Int64, rowids: ClosedRange<Int64>, db: Database) throws -> [Stored] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT key, legacy_key, data FROM canonical_record NOT INDEXED
                WHERE rowid BETWEEN ? AND ? AND run_id = ? AND status != 'rejected' ORDER BY rowid
                """, arguments: [rowids.lowerBound, rowids.upperBound, run]
        ).map { Stored(key: $0[0], legacyKey: $0[1], bytes: bytes($0[2])) }
    }

    /// The account group of each record of `run` with these legacy keys, by legacy key.
    static func accountGroups(run: Int64, legacyKeys: [String], db: Database) throws -> [String: String] {
        let select = "SELECT key, legacy_key, data FROM canonical_record"
        var byLegacyKey: [String: String] = [:]
        func add(_ row: Row) {
            let stored = Stored(key: row[0], legacyKey: row[1], bytes: bytes(row[2]))
            byLegacyKey[stored.legacyKey] = stored.accountGroup
        }
        // Many (a first load): one pass over the run beats a lookup per key.
        if legacyKeys.count > 20_000 {
            let wanted = Set(legacyKeys)
            let cursor = try Row.fetchCursor(db, sql: select + " WHERE run_id = ?", arguments: [run])
            while let row = try cursor.next() {
                if wanted.contains(row[1]) { add(row) }
            }
            return byLegacyKey
        }
        for part in legacyKeys.chunked(500) where !part.isEmpty {
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            for row in try Row.fetchAll(
                db, sql: select + " WHERE run_id = ? AND legacy_key IN (\(marks))",
                arguments: StatementArguments([run] + Array(part)))
            {
                add(row)
            }
        }
        return byLegacyKey
    }

    // MARK: Writing

    /// A multi-row insert of records (``bind(_:run:legacyKey:key:status:sequence:data:references:input:line:offset:index:dataHash:)``
    /// fills a row); a record whose legacy key the run holds already is skipped (and reported by
    /// ``MultiRowInsert/run(count:bind:)``), or replaces it with `replacing`.
    static func inserter(db: Database, replacing: Bool = false) -> MultiRowInsert {
        MultiRowInsert(
            db,
            prefix: (replacing ? "INSERT OR REPLACE" : "INSERT") + " INTO canonical_record " + """
                (run_id, legacy_key, key, status, sequence, data, refs, source_input, source_line, source_offset,
                source_index, data_hash)
                """, columns: 12, suffix: replacing ? "" : "ON CONFLICT (run_id, legacy_key) DO NOTHING")
    }

    /// Binds one record's row of an ``inserter(db:replacing:)``.
    @inline(__always)
    static func bind(
        _ bind: inout RawStatement.Binder, run: Int, legacyKey: String, key: String, status: String, sequence: String?,
        data: [UInt8], references: String, input: Int, line: Int, offset: Int?, index: Int, dataHash: Hash128?
    ) {
        bind.int(run)
        bind.text(legacyKey)
        bind.text(key)
        bind.text(status)
        bind.text(sequence)
        bind.blob(data)
        bind.text(references)
        bind.int(input)
        bind.int(line)
        bind.optionalInt(offset)
        bind.int(index)
        bind.blob(dataHash?.bytes)
    }

    /// Where the stored record of a legacy key came from, and its `same_key` sequence: what decides
    /// which of two records with one key the run keeps.
    static func origin(
        run: Int64, legacyKey: String, db: Database
    ) throws -> (sequence: String?, input: Int, index: Int)? {
        // Cached: a multi-row insert that skipped one repeated key has each of its rows looked up here.
        try Row.fetchOne(
            db.cachedStatement(
                sql:
                    "SELECT sequence, source_input, source_index FROM canonical_record WHERE run_id = ? AND legacy_key = ?"
            ),
            arguments: [run, legacyKey]
        ).map { ($0[0], $0[1], $0[2]) }
    }

    /// Sets the status of a run's records whose keys are in `temp.<table>` from their findings
    /// (`rejected` over `review` over `ok`): after findings were added to them.
    static func restatus(run: Int64, keysIn table: String, db: Database) throws {
        try db.execute(
            sql: """
                UPDATE canonical_record SET status = CASE
                WHEN EXISTS (SELECT 1 FROM finding f WHERE f.run_id = canonical_record.run_id
                    AND f.legacy_key = canonical_record.legacy_key AND f.outcome = 'reject') THEN 'rejected'
                WHEN EXISTS (SELECT 1 FROM finding f WHERE f.run_id = canonical_record.run_id
                    AND f.legacy_key = canonical_record.legacy_key AND f.outcome = 'review') THEN 'review'
                ELSE 'ok' END
                WHERE run_id = ? AND legacy_key IN (SELECT legacy_key FROM temp.\(table))
                """, arguments: [run])
    }

    // MARK: References

    /// A record of a run that refers to other customers (and was not rejected), with where it came from.
    struct Referring {
        let legacyKey: String
        let references: String
        let input: Int
        let line: Int
        let index: Int
    }

    static func forEachReferring(run: Int64, db: Database, _ body: (Referring) throws -> Void) throws {
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT legacy_key, refs, source_input, source_line, source_index FROM canonical_record
                WHERE run_id = ? AND status <> 'rejected' AND refs <> ''
                """, arguments: [run])
        while let row = try cursor.next() {
            try body(Referring(legacyKey: row[0], references: row[1], input: row[2], line: row[3], index: row[4]))
        }
    }

    /// Whether a legacy key names a customer a reference may point at: a record of `run` that was not
    /// rejected, or one an earlier run mapped without findings. Prepared once, asked per key.
    struct ReferenceTargets {
        private let inRun: Statement
        private let earlier: Statement
        private let run: Int64

        init(run: Int64, db: Database) throws {
            self.run = run
            inRun = try db.makeStatement(
                sql: "SELECT 1 FROM canonical_record WHERE run_id = ? AND legacy_key = ? AND status <> 'rejected'")
            earlier = try db.makeStatement(
                sql: """
                    SELECT 1 FROM canonical_record WHERE \(mapRuns) AND legacy_key = ? AND run_id < ? AND status = 'ok'
                    LIMIT 1
                    """)
        }

        func contains(_ legacyKey: String) throws -> Bool {
            if try Int.fetchOne(inRun, arguments: [run, legacyKey]) != nil { return true }
            return try Int.fetchOne(earlier, arguments: [legacyKey, run]) != nil
        }
    }

    // MARK: Removing

    /// Deletes a run's records; returns how many.
    static func delete(run: Int64, db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM canonical_record WHERE run_id = ?", arguments: [run])
        return db.changesCount
    }
}

/// The part of a stored canonical customer the matcher reads, for a record the ledger's reader refuses
/// (only `key` is required).
private struct MatchedPart: Decodable {
    var key: String
    var names: [String]?
    var vatId: String?
    var taxNumbers: [String: String]?
    var category: CustomerCategory?
    var firstName: String?
    var lastName: String?
    var birthDate: String?
    var identifiers: [Identifier]?
    var addresses: [Address]?
    var contacts: [Contact]?

    var customer: CanonicalCustomer {
        var customer = CanonicalCustomer(key: key, legacyKey: key)
        customer.names = names ?? []
        customer.vatId = vatId
        customer.taxNumbers = taxNumbers ?? [:]
        customer.category = category
        customer.firstName = firstName
        customer.lastName = lastName
        customer.birthDate = birthDate
        customer.identifiers = identifiers ?? []
        customer.addresses = addresses ?? []
        customer.contacts = contacts ?? []
        return customer
    }
}
