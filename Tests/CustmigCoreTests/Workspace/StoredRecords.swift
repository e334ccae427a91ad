import Foundation
import GRDB
import Testing

@testable import CustmigCore

/// Canonical records read and rewritten in tests through the ledger's own encoding (compact, or JSON
/// in records stored before it), so a test says what a record holds, not how it is stored.
enum StoredRecords {
    /// The records `filter` selects (SQL after `WHERE`), in legacy-key order.
    static func read(
        _ db: Database, where filter: String = "1", _ arguments: StatementArguments = []
    ) throws
        -> [CanonicalStore.Stored]
    {
        try Row.fetchAll(
            db, sql: "SELECT key, legacy_key, data FROM canonical_record WHERE \(filter) ORDER BY legacy_key",
            arguments: arguments
        ).map { row in
            CanonicalStore.Stored(key: row[0], legacyKey: row[1], bytes: CanonicalStore.bytes(row["data"]))
        }
    }

    /// The records' JSON as the map renders it (`{}` for a record without a customer).
    static func json(
        _ db: Database, where filter: String = "1", _ arguments: StatementArguments = []
    ) throws -> [String] {
        try read(db, where: filter, arguments).map {
            $0.customer?.jsonText ?? String(decoding: $0.bytes, as: UTF8.self)
        }
    }

    /// The customers the records hold.
    static func customers(
        _ db: Database, where filter: String = "1", _ arguments: StatementArguments = []
    ) throws
        -> [CanonicalCustomer]
    {
        try read(db, where: filter, arguments).compactMap(\.customer)
    }

    /// Stores `customer` as the record of `legacyKey`; with `rehash`, its hash too (a record re-mapped),
    /// else the hash stays (a record altered behind the map's back).
    static func write(_ customer: CanonicalCustomer, legacyKey: String, rehash: Bool, _ db: Database) throws {
        let data = Data(CanonicalStore.encode(customer))
        if rehash {
            let hash = Data(try #require(Hash128(hex: CustomerSet.recordHash(customer.jsonText))).bytes)
            try db.execute(
                sql: "UPDATE canonical_record SET data = ?, data_hash = ? WHERE legacy_key = ?",
                arguments: [data, hash, legacyKey])
        } else {
            try db.execute(
                sql: "UPDATE canonical_record SET data = ? WHERE legacy_key = ?", arguments: [data, legacyKey])
        }
    }

    /// Rewrites every record as a ledger from before the compact format held it: JSON text, hex hashes.
    static func rewriteAsJSON(_ db: Database) throws {
        for record in try read(db) {
            let json = record.customer?.jsonText ?? String(decoding: record.bytes, as: UTF8.self)
            try db.execute(
                sql: "UPDATE canonical_record SET data = ?, data_hash = ? WHERE legacy_key = ? AND key = ?",
                arguments: [json, CustomerSet.recordHash(json), record.legacyKey, record.key])
        }
    }
}
