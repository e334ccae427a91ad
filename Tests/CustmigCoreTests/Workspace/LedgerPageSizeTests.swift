import Foundation
import GRDB
import Testing

@testable import CustmigCore

/// New ledgers get 16 KB pages (a map's appends cost less CPU in SQLite and the kernel); a workspace
/// made before keeps its 4 KB pages, and maps into it store what a new ledger stores.
@Suite("Ledger page size: 16 KB for new ledgers, 4 KB ones kept")
struct LedgerPageSizeTests {
    @Test("a 4 KB-page ledger from before keeps its pages and maps the same records as a new one")
    func oldLedgerKeepsItsPages() throws {
        let folder = try Paths.scratch()
        let fresh = folder + "/fresh"
        let old = folder + "/old"
        let first = try CLI.run([
            "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), Paths.samples("customers.csv"),
            "--workspace", fresh,
        ])
        #expect(first.status == 0 || first.status == 3, "\(first.stderr)")
        #expect(try Self.pageSize(fresh) == Ledger.pageSize)
        // The same workspace as an earlier custmig would have left it: SQLite's default page size.
        try FileManager.default.copyItem(atPath: fresh, toPath: old)
        try DatabaseQueue(path: old + "/ledger.sqlite").writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "PRAGMA page_size = 4096")
            try db.execute(sql: "VACUUM")
            try db.execute(sql: "PRAGMA journal_mode = WAL")
        }
        #expect(try Self.pageSize(old) == 4096)
        for workspace in [fresh, old] {
            let second = try CLI.run([
                "map", "--mapping", MappingLoaderTests.shipped("sap-debmas07"), Paths.samples("debmas07.xml"),
                "--workspace", workspace,
            ])
            #expect(second.status == 0 || second.status == 3, "\(second.stderr)")
        }
        #expect(try Self.pageSize(old) == 4096)
        let stored = try [fresh, old].map(Self.records)
        #expect(stored[0].count > 1 && stored[0] == stored[1])
    }

    static func pageSize(_ workspace: String) throws -> Int? {
        try DatabaseQueue(path: workspace + "/ledger.sqlite").read { db in
            try Int.fetchOne(db, sql: "PRAGMA page_size")
        }
    }

    /// Every run's records as stored (key, status, encoded data, hash), in key order.
    static func records(_ workspace: String) throws -> [String] {
        try DatabaseQueue(path: workspace + "/ledger.sqlite").read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT run_id || '|' || ifnull(legacy_key, '') || '|' || status || '|' || hex(data) || '|' || hex(data_hash)
                    FROM canonical_record ORDER BY run_id, legacy_key
                    """)
        }
    }
}
