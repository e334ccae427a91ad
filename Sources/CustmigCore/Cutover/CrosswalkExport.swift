import Foundation
import GRDB

/// `custmig crosswalk export`: legacy key -> target key, one row per legacy key (merged duplicates
/// point at their survivor's target customer), for the objects migrated after customers.
///
/// The crosswalk, the key map and the canonical records are each read once, sorted by key, and merged:
/// looking each customer's legacy keys up in turn scanned the whole ledger per customer (a 200,000-
/// customer target did not finish in two minutes).
public enum CrosswalkExport {
    public static func write(workspace: Workspace, target: any Target, to path: String) throws -> Int {
        let output = try FileOutput(path: path, mode: 0o600)
        try output.write("legacy_key,canonical_key,target_customer_id,how\n")
        var count = 0
        try workspace.ledger.database.read { ledgerDB in
            var merged = try SortedGroups(ledgerDB, sql: DuplicateStore.keyMapInOrder)
            var mapped = try SortedGroups(ledgerDB, sql: CanonicalStore.keyPairsInOrder)
            try target.forEachCrosswalkEntry { key, customer, how in
                let fromKeyMap = try merged.values(for: key)
                let fromRecords = try mapped.values(for: key)
                let legacy = fromKeyMap.isEmpty ? fromRecords : fromKeyMap
                for legacyKey in legacy.isEmpty ? [""] : legacy {
                    try output.write(
                        [legacyKey, key, customer, how].map(RejectReport.spreadsheetCell).joined(separator: ",") + "\n")
                    count += 1
                }
            }
        }
        try output.close()
        return count
    }
}

/// A query's rows `(key, value)` sorted by key, read forward once: the values of ever larger keys.
/// Keys are compared as SQLite's ORDER BY compares them (bytes of the UTF-8 text).
private struct SortedGroups {
    private let cursor: RowCursor
    private var pending: (key: String, value: String)?
    private var finished = false

    init(_ db: Database, sql: String) throws {
        cursor = try Row.fetchCursor(db, sql: sql)
    }

    /// The values of `key`, skipping smaller keys; empty when it has none.
    mutating func values(for key: String) throws -> [String] {
        var values: [String] = []
        while let (current, value) = try peek() {
            if current.utf8.lexicographicallyPrecedes(key.utf8) {
                pending = nil
                continue
            }
            guard current == key else { break }
            values.append(value)
            pending = nil
        }
        return values
    }

    private mutating func peek() throws -> (String, String)? {
        if let pending { return pending }
        guard !finished, let row = try cursor.next() else {
            finished = true
            return nil
        }
        let next = (key: row[0] as String? ?? "", value: row[1] as String? ?? "")
        pending = next
        return next
    }
}
