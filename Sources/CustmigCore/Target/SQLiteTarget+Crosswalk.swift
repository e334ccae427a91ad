import Foundation
import GRDB
import GRDBSQLite

/// The crosswalk as the dry run holds it: canonical key -> target id and the hashes of what custmig
/// loaded last. One dictionary of positions and plain arrays beside it: two dictionaries keyed by a
/// million keys (ids, hashes) took ~180 MB, most of it empty buckets.
struct LoadedCrosswalk: Sendable {
    private var positions: [String: Int32] = [:]
    private var ids: [String] = []
    private var imageHashes: [Hash128] = []
    private var sourceHashes: [Hash128] = []
    /// Bit 0: an image hash is recorded; bit 1: a source hash is.
    private var recorded: [UInt8] = []

    init(capacity: Int = 0) {
        positions.reserveCapacity(capacity)
        ids.reserveCapacity(capacity)
        imageHashes.reserveCapacity(capacity)
        sourceHashes.reserveCapacity(capacity)
        recorded.reserveCapacity(capacity)
    }

    /// Records (or replaces) one entry.
    mutating func add(key: String, id: String, image: Hash128?, source: Hash128?) {
        let zero = Hash128.zero
        let flags = UInt8(image == nil ? 0 : 1) | UInt8(source == nil ? 0 : 2)
        if let position = positions[key] {
            let at = Int(position)
            (ids[at], imageHashes[at], sourceHashes[at], recorded[at]) = (id, image ?? zero, source ?? zero, flags)
            return
        }
        positions[key] = Int32(ids.count)
        ids.append(id)
        imageHashes.append(image ?? zero)
        sourceHashes.append(source ?? zero)
        recorded.append(flags)
    }

    /// The target id custmig loaded `key` as.
    subscript(key: String) -> String? { positions[key].map { ids[Int($0)] } }

    /// The hashes of what custmig loaded last for `key` (nil when none is recorded).
    func hashes(_ key: String) -> LoadedHashes? {
        guard let position = positions[key].map(Int.init), recorded[position] & 1 != 0 else { return nil }
        return LoadedHashes(
            image: imageHashes[position], source: recorded[position] & 2 != 0 ? sourceHashes[position] : nil)
    }

    var count: Int { ids.count }

    /// Every target id in the crosswalk.
    var targetIds: [String] { ids }

    /// The entries whose keys are not among `present`, in no particular order: one lookup per present
    /// key and a pass over the entries, instead of a set of every key.
    func entries(notIn present: [AnySequence<String>]) -> [(key: String, id: String)] {
        var seen = [Bool](repeating: false, count: ids.count)
        for keys in present {
            for key in keys { if let position = positions[key] { seen[Int(position)] = true } }
        }
        return positions.compactMap { seen[Int($0.value)] ? nil : ($0.key, ids[Int($0.value)]) }
    }
}

extension SQLiteTarget {
    /// The crosswalk with its hashes, from one scan of `custmig_crosswalk` read through the SQLite C
    /// API (two scans through rows and `UInt64(_:radix:)` on substrings took seconds at a million customers).
    func loadedCrosswalk() throws -> LoadedCrosswalk {
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
