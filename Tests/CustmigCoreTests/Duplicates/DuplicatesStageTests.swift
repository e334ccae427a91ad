import CustmigCore
import Foundation
import GRDB
import Testing

@Suite("The duplicates stage", .serialized)
struct DuplicatesStageTests {
    @Test("clusters become survivors, the key map points merged customers at them, reruns are no-ops, keys stick")
    func stage() async throws {
        let data = try Paths.scratch()
        _ = try SampleGenerator(options: SampleOptions(rows: 1_500, seed: 77, formats: [.csv])).write(to: data)
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        let options = MapOptions(
            mappingPath: MappingLoaderTests.shipped("legacy-flat-csv"), extracts: [data + "/customers.csv"],
            command: "test", custmigVersion: CustmigVersion.current)
        _ = try await MapStage.run(options, workspace: workspace)
        let first = try await DuplicatesStage.run(workspace: workspace, mapRun: nil, command: "test")
        #expect(first.clusters > 10)
        #expect(first.mergedAway >= first.clusters)
        let report = try String(contentsOfFile: try #require(first.reports.first), encoding: .utf8)
        #expect(report.contains("class=\"diff\""))
        #expect(report.contains("why (field, level, weight)"))
        #expect(!report.contains("<script src") && !report.contains("<link"))
        let again = try await DuplicatesStage.run(workspace: workspace, mapRun: nil, command: "test")
        #expect(again.outcome == "unchanged")
        let (goldenOf, survivors) = try workspace.ledger.database.read { db in
            (
                try Dictionary(
                    uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT legacy_key, golden_key FROM key_map").map {
                        ($0["legacy_key"] as String, $0["golden_key"] as String)
                    }),
                try Row.fetchAll(
                    db, sql: "SELECT golden_key, members FROM survivor WHERE run_id = ?", arguments: [first.run])
            )
        }
        for survivor in survivors {
            let members = (survivor["members"] as String).split(separator: " ").map(String.init)
            #expect(members.count >= 2)
            for member in members {
                let legacy = String(Int(member) ?? 0)
                #expect(goldenOf[legacy] == survivor["golden_key"], "\(member)")
            }
        }
        // A later map run of the same customers (another mapping version) keeps the golden keys.
        let folder = try StewardFilesTests.mappingFolder()
        let yaml = try String(contentsOfFile: folder + "/mapping.yaml", encoding: .utf8)
            .replacingOccurrences(of: "version: 1", with: "version: 2")
        try yaml.write(toFile: folder + "/mapping.yaml", atomically: true, encoding: .utf8)
        var second = options
        second.mappingPath = folder + "/mapping.yaml"
        _ = try await MapStage.run(second, workspace: workspace)
        let rematched = try await DuplicatesStage.run(workspace: workspace, mapRun: nil, command: "test")
        #expect(rematched.run != first.run)
        let stickyKeys = try await workspace.ledger.database.read { db in
            try Set(
                String.fetchAll(db, sql: "SELECT golden_key FROM survivor WHERE run_id = ?", arguments: [rematched.run])
            )
        }
        #expect(stickyKeys == Set(survivors.map { $0["golden_key"] as String }))
    }

    @Test("survivorship: the most complete member is the base, blanks are filled, lists united")
    func survivorship() {
        var rich = CanonicalCustomer(key: "0000000002", legacyKey: "2")
        rich.names = ["Alpha GmbH"]
        rich.vatId = "DE123456789"
        rich.language = "de"
        rich.salesAreas = [SalesArea(salesOrganization: "1000", distributionChannel: "10", division: "00")]
        var poor = CanonicalCustomer(key: "0000000001", legacyKey: "1")
        poor.names = ["ALPHA G.m.b.H."]
        poor.creditLimit = "5000.00"
        poor.salesAreas = [SalesArea(salesOrganization: "2000", distributionChannel: "10", division: "00")]
        let golden = Survivorship.survivor(of: [poor, rich], goldenKey: "0000000001")
        #expect(golden.key == "0000000001")
        #expect(golden.names == ["Alpha GmbH"])
        #expect(golden.vatId == "DE123456789")
        #expect(golden.creditLimit == "5000.00")
        #expect(golden.salesAreas.map(\.salesOrganization) == ["1000", "2000"])
    }
}
