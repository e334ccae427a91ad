import CustmigCore
import Foundation
import GRDB
import Testing

@Suite("Corrections and review decisions", .serialized)
struct StewardFilesTests {
    /// A copy of the flat-CSV mapping in a scratch folder, with the given steward files.
    static func mappingFolder(corrections: String? = nil, decisions: String? = nil) throws -> String {
        let folder = try Paths.scratch()
        let shipped = (MappingLoaderTests.shipped("legacy-flat-csv") as NSString).deletingLastPathComponent
        for file in ["mapping.yaml", "payment-terms.csv"] {
            try FileManager.default.copyItem(atPath: shipped + "/" + file, toPath: folder + "/" + file)
        }
        if let corrections {
            try corrections.write(toFile: folder + "/corrections.csv", atomically: true, encoding: .utf8)
        }
        if let decisions {
            try decisions.write(toFile: folder + "/review-decisions.csv", atomically: true, encoding: .utf8)
        }
        return folder
    }

    static func map(_ mappingFolder: String) async throws -> (MapSummary, Ledger) {
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        let options = MapOptions(
            mappingPath: mappingFolder + "/mapping.yaml", extracts: [Paths.samples("customers.csv")], command: "test",
            custmigVersion: CustmigVersion.current)
        return (try await MapStage.run(options, workspace: workspace), workspace.ledger)
    }

    @Test("a correction replaces a source value before mapping; one for an unknown customer is reported")
    func corrections() async throws {
        let folder = try Self.mappingFolder(
            corrections: """
                legacy_key,field,value,reason,who
                100000,VAT_ID,NL123456789B02,VAT id confirmed by finance,j.doe
                999999,VAT_ID,DE123456789,customer not in this extract,j.doe

                """)
        let (summary, ledger) = try await Self.map(folder)
        let data = try await ledger.database.read { db in
            try StoredRecords.json(db, where: "legacy_key = '100000'").first
        }
        #expect(data?.contains("\"vatId\":\"NL123456789B02\"") == true)
        #expect(summary.unmatchedCorrections == ["corrections.csv:3 999999 VAT_ID"])
    }

    @Test("review decisions approve or reject review items and carry over; stale ones are reported")
    func decisions() async throws {
        let (first, firstLedger) = try await Self.map(try Self.mappingFolder())
        let items = try firstLedger.database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT f.legacy_key, f.rule FROM finding f JOIN canonical_record c
                    ON c.run_id = f.run_id AND c.legacy_key = f.legacy_key
                    WHERE f.outcome = 'review' AND c.status = 'review'
                    AND (SELECT COUNT(*) FROM finding g WHERE g.legacy_key = f.legacy_key AND g.run_id = f.run_id) = 1
                    ORDER BY f.source_index LIMIT 2
                    """)
        }
        try #require(items.count == 2)
        let approve: String = items[0]["legacy_key"]
        let reject: String = items[1]["legacy_key"]
        let decisions = """
            legacy_key,rule,decision,who
            \(approve),\(items[0]["rule"] as String),approve,m.steward
            \(reject),\(items[1]["rule"] as String),reject,m.steward
            424242,name-required,approve,m.steward

            """
        let (second, ledger) = try await Self.map(try Self.mappingFolder(decisions: decisions))
        let statuses = try await ledger.database.read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(
                    db, sql: "SELECT legacy_key, status FROM canonical_record WHERE legacy_key IN (?, ?)",
                    arguments: [approve, reject]
                ).map { ($0["legacy_key"] as String, $0["status"] as String) })
        }
        #expect(statuses[approve] == "ok")
        #expect(statuses[reject] == "rejected")
        #expect(second.mapped == first.mapped + 1)
        #expect(second.rejected == first.rejected + 1)
        #expect(second.unmatchedDecisions == ["review-decisions.csv:4 424242 name-required"])
    }

    @Test("contradicting decisions are refused with both lines")
    func contradiction() throws {
        let folder = try Self.mappingFolder(
            decisions: """
                legacy_key,rule,decision,who
                100001,transform:email,approve,a
                100001,transform:email,reject,b

                """)
        #expect {
            _ = try MappingLoader.load(path: folder + "/mapping.yaml")
        } throws: { error in
            guard let problems = error as? MappingProblems else { return false }
            return problems.description.contains(
                "review-decisions.csv:3: error: [MAP-DECISION] customer 100001, rule "
                    + "transform:email: reject here contradicts approve on line 2.")
        }
    }
}
