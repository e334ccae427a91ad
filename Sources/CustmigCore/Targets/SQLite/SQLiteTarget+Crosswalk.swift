import Foundation
import GRDB
import GRDBSQLite

extension SQLiteTarget {
    /// The crosswalk with its hashes, from one scan of `custmig_crosswalk` read through the SQLite C
    /// API (two scans through rows and `UInt64(_:radix:)` on substrings took seconds at a million customers).
    public func loadedCrosswalk() throws -> LoadedCrosswalk {
        try database.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM custmig_crosswalk") ?? 0
            var crosswalk = LoadedCrosswalk(capacity: count)
            let statement = try db.makeStatement(
                sql: "SELECT canonical_key, customer_id, image_hash, source_hash FROM custmig_crosswalk")
            let handle = statement.sqliteStatement
            defer { sqlite3_reset(handle) }
            func text(_ column: Int32) -> String? {
                guard let bytes = sqlite3_column_text(handle, column) else { return nil }
                return String(cString: bytes)
            }
            func hash(_ column: Int32) -> Hash128? {
                guard sqlite3_column_type(handle, column) == SQLITE_TEXT,
                    let bytes = sqlite3_column_text(handle, column)
                else { return nil }
                return Hash128(
                    hexBytes: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column))))
            }
            while true {
                let code = sqlite3_step(handle)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else {
                    throw DatabaseError(
                        resultCode: ResultCode(rawValue: code),
                        message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                }
                guard let key = text(0), let id = text(1) else { continue }
                let image = hash(2)
                crosswalk.add(key: key, id: id, image: image, source: image == nil ? nil : hash(3))
            }
            return crosswalk
        }
    }
}

extension Hash128 {
    /// A placeholder where no hash is recorded (never compared as a hash).
    static let zero: Hash128 = Hash128(hex: String(repeating: "0", count: 32))!

    /// From 32 hex digits as bytes (either case), as `init(hex:)` reads them; nil for anything else.
    init?(hexBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        for index in 0..<32 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            if index < 16 { words.0 = words.0 << 4 | UInt64(digit) } else { words.1 = words.1 << 4 | UInt64(digit) }
        }
        high = words.0
        low = words.1
    }
}
