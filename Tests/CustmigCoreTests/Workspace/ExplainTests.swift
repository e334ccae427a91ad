import CustmigCore
import Foundation
import GRDB
import Testing

@Suite("Explaining a customer", .serialized)
struct ExplainTests {
    static func mapped(_ extract: String) async throws -> Workspace {
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        _ = try await MapStage.run(
            MapOptions(
                mappingPath: MappingLoaderTests.shipped("legacy-flat-csv"), extracts: [extract], command: "test",
                custmigVersion: CustmigVersion.current), workspace: workspace)
        return workspace
    }

    @Test("a clean customer: every field traced from its source through each transform")
    func clean() async throws {
        let workspace = try await Self.mapped(Paths.samples("customers.csv"))
        let explanation = try ExplainStage.explain(key: "100003", run: nil, workspace: workspace)
        #expect(explanation.status == "ok")
        #expect(explanation.sourceLine == 5)
        let country = try #require(explanation.trace.fields.first { $0.field == "addresses[0].country" })
        #expect(country.source == "COUNTRY")
        #expect(country.raw == "AUSTRIA")
        #expect(country.steps.map(\.step) == ["transform trim", "transform country"])
        #expect(country.value == "AT")
        #expect(explanation.trace.rules.allSatisfy { $0.outcome == "ok" })
        let byCanonicalKey = try ExplainStage.explain(key: "0000100003", run: nil, workspace: workspace)
        #expect(byCanonicalKey.legacyKey == "100003")
    }

    @Test("the replay is checked against the stored record: a difference is said, not hidden")
    func replayChecked() async throws {
        let workspace = try await Self.mapped(Paths.samples("customers.csv"))
        // Every stored customer of the sample replays to the record the run stored.
        let keys = try await workspace.ledger.database.read { db in
            try String.fetchAll(db, sql: "SELECT legacy_key FROM canonical_record ORDER BY source_index")
        }
        #expect(keys.count > 300)
        for key in keys {
            let explanation = try ExplainStage.explain(key: key, run: nil, workspace: workspace)
            #expect(explanation.replayMatchesStored == true, "\(key)")
        }
        // As if another custmig had stored it: the explanation says the replay differs.
        try await workspace.ledger.database.write { db in
            try db.execute(
                sql: "UPDATE canonical_record SET data_hash = zeroblob(16) WHERE legacy_key = ?", arguments: ["100003"])
        }
        let changed = try ExplainStage.explain(key: "100003", run: nil, workspace: workspace)
        #expect(changed.replayMatchesStored == false)
        let text = try CLI.run(["explain", "100003", "--workspace", workspace.path])
        #expect(text.status == 0)
        #expect(
            text.stdout.contains("warning: replaying this record now does not give the record map run 1 stored"),
            "\(text.stdout.prefix(600))")
    }

    @Test("a rejected customer: the broken rule and its message")
    func rejected() async throws {
        let workspace = try await Self.mapped(Paths.samples("customers.csv"))
        let key = try await workspace.ledger.database.read { db in
            try String.fetchOne(
                db, sql: "SELECT legacy_key FROM finding WHERE rule = 'deletion-flag' ORDER BY source_index LIMIT 1")
        }
        let explanation = try ExplainStage.explain(key: try #require(key), run: nil, workspace: workspace)
        #expect(explanation.status == "rejected")
        #expect(explanation.trace.rules.first { $0.rule == "deletion-flag" }?.outcome == "reject")
    }

    @Test("an extract changed since the run is refused")
    func changedExtract() async throws {
        let folder = try Paths.scratch()
        let copy = folder + "/customers.csv"
        try FileManager.default.copyItem(atPath: Paths.samples("customers.csv"), toPath: copy)
        let workspace = try await Self.mapped(copy)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: copy))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("999999;X\r\n".utf8))
        try handle.close()
        #expect {
            _ = try ExplainStage.explain(key: "100003", run: nil, workspace: workspace)
        } throws: { error in
            (error as? CustmigError)?.code == "EXPLAIN-EXTRACT-CHANGED"
        }
    }

    @Test("an unknown key names the fix")
    func unknown() async throws {
        let workspace = try await Self.mapped(Paths.samples("customers.csv"))
        #expect(throws: CustmigError.self) { _ = try ExplainStage.explain(key: "nope", run: nil, workspace: workspace) }
    }
}
