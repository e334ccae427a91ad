import CustmigCore
import Foundation
import GRDB
import Testing

@Suite("Steward decisions on duplicates", .serialized)
struct DuplicateDecisionTests {
    @Test("keep_apart splits an auto-merged pair, merge joins two customers; stale decisions are reported")
    func decisionsApply() async throws {
        let data = try Paths.scratch()
        _ = try SampleGenerator(options: SampleOptions(rows: 1_000, seed: 5, formats: [.csv])).write(to: data)
        let mappingFolder = try StewardFilesTests.mappingFolder()
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        _ = try await MapStage.run(
            MapOptions(
                mappingPath: mappingFolder + "/mapping.yaml", extracts: [data + "/customers.csv"], command: "test",
                custmigVersion: CustmigVersion.current), workspace: workspace)
        let first = try await DuplicatesStage.run(workspace: workspace, mapRun: nil, command: "test")
        let merged = try workspace.ledger.database.read { db in
            try Row.fetchOne(
                db, sql: "SELECT members FROM survivor WHERE run_id = ? ORDER BY golden_key", arguments: [first.run])
        }
        let members = try #require(
            merged.map { ($0["members"] as String).split(separator: " ").map { String(Int($0)!) } })
        let singles = try await workspace.ledger.database.read { db in
            try String.fetchAll(
                db, sql: "SELECT legacy_key FROM key_map WHERE legacy_key = golden_key + 0 ORDER BY legacy_key LIMIT 0")
        }
        _ = singles
        let decisions = """
            \(DuplicateDecisionFile.header)
            \(members[0]),\(members[1]),keep_apart,m.steward
            100001,100002,merge,m.steward
            999998,999999,merge,m.steward

            """
        try decisions.write(toFile: mappingFolder + "/duplicate-decisions.csv", atomically: true, encoding: .utf8)
        let second = try await DuplicatesStage.run(
            workspace: workspace, mapRun: nil, decisionsFile: mappingFolder + "/duplicate-decisions.csv",
            command: "test")
        #expect(second.decisionsApplied == 2)
        #expect(second.decisionsStale == ["duplicate-decisions.csv:4 999998 999999"])
        let goldens = try await workspace.ledger.database.read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(
                    db, sql: "SELECT legacy_key, golden_key FROM key_map WHERE legacy_key IN (?, ?, ?, ?)",
                    arguments: [members[0], members[1], "100001", "100002"]
                ).map { ($0["legacy_key"] as String, $0["golden_key"] as String) })
        }
        #expect(goldens[members[0]] != goldens[members[1]])
        #expect(goldens["100001"] == goldens["100002"])
    }

    @Test("a contradicting decisions file is refused with the lines involved")
    func contradiction() throws {
        let file = try Paths.scratch() + "/duplicate-decisions.csv"
        try """
        \(DuplicateDecisionFile.header)
        A,B,merge,x
        B,C,merge,x
        A,C,keep_apart,y

        """.write(toFile: file, atomically: true, encoding: .utf8)
        #expect {
            _ = try DuplicateDecisionFile.read(path: file, knownKeys: nil)
        } throws: { error in
            (error as? MappingProblems)?.description.contains(
                "duplicate-decisions.csv:4: error: [DUP-CONTRADICTION] keep_apart A and C contradicts the merge decisions (line 2, line 3)"
            ) == true
        }
    }

    /// A copy of the flat CSV mapping and a workspace holding its map run of the sample extract.
    static func mappedSample() async throws -> (mappingFolder: String, workspace: Workspace) {
        let mappingFolder = try StewardFilesTests.mappingFolder()
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        _ = try await MapStage.run(
            MapOptions(
                mappingPath: mappingFolder + "/mapping.yaml", extracts: [Paths.samples("customers.csv")],
                command: "test",
                custmigVersion: CustmigVersion.current), workspace: workspace)
        return (mappingFolder, workspace)
    }

    @Test("review exports every pair to decide with both legacy keys, names and cities; decide takes it back")
    func reviewExport() async throws {
        let mappingFolder = try StewardFilesTests.mappingFolder()
        // Learned weights are decisive on generated data: a near-certain auto-merge threshold leaves the
        // less certain matches to a steward.
        try Self.demandCertainty(mappingFolder + "/mapping.yaml")
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        let extracts = try Paths.scratch()
        _ = try SampleGenerator(options: SampleOptions(rows: 5_000, seed: 11, formats: [.csv], duplicateShare: 0.08))
            .write(to: extracts)
        _ = try await MapStage.run(
            MapOptions(
                mappingPath: mappingFolder + "/mapping.yaml", extracts: [extracts + "/customers.csv"], command: "test",
                custmigVersion: CustmigVersion.current), workspace: workspace)
        let summary = try await DuplicatesStage.run(workspace: workspace, mapRun: nil, command: "test")
        try #require(summary.forReview > 0)
        let export = try Paths.scratch() + "/pairs.csv"
        #expect(try DuplicateReview.export(workspace: workspace, to: export) == summary.forReview)
        let lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == summary.forReview + 1)
        let legacyKeys = try await workspace.ledger.database.read { db in
            Set(try String.fetchAll(db, sql: "SELECT legacy_key FROM canonical_record WHERE run_id = 1"))
        }
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(legacyKeys.contains(fields[0]) && legacyKeys.contains(fields[1]), "\(line)")
            #expect(!fields[3].isEmpty && !fields[4].isEmpty, "\(line)")
        }
        // The steward decides the first pair; decide records it.
        var decided = lines.map(String.init)
        decided[1] = String(decided[1].dropLast(2)) + ",merge,QA"
        try decided.joined(separator: "\n").write(toFile: export, atomically: true, encoding: .utf8)
        #expect(
            try DuplicateReview.decide(
                workspace: workspace, stewardFile: export, mappingPath: mappingFolder + "/mapping.yaml") == 1)
    }

    @Test("decide refuses keys that are not in the latest map run")
    func unknownKeys() async throws {
        let (mappingFolder, workspace) = try await Self.mappedSample()
        let steward = try Paths.scratch() + "/pairs.csv"
        try
            "first_key,second_key,score,first_name,second_name,first_city,second_city,evidence,decision,who\n100000,424242,6,a,b,c,d,e,merge,x\n"
            .write(toFile: steward, atomically: true, encoding: .utf8)
        #expect {
            _ = try DuplicateReview.decide(
                workspace: workspace, stewardFile: steward, mappingPath: mappingFolder + "/mapping.yaml")
        } throws: { error in
            (error as? MappingProblems)?.description.contains("customer 424242 is not in the map run being matched")
                == true
        }
        #expect(!FileManager.default.fileExists(atPath: mappingFolder + "/duplicate-decisions.csv"))
    }

    @Test("decide names the steward file's own lines, refuses a line it cannot read, a self-pair and a foreign file")
    func stewardLines() async throws {
        let (mappingFolder, workspace) = try await Self.mappedSample()
        let header = "first_key,second_key,score,first_name,second_name,first_city,second_city,evidence,decision,who\n"
        func decide(_ body: String) throws -> String {
            let steward = try Paths.scratch() + "/pairs.csv"
            try (header + body).write(toFile: steward, atomically: true, encoding: .utf8)
            do {
                _ = try DuplicateReview.decide(
                    workspace: workspace, stewardFile: steward, mappingPath: mappingFolder + "/mapping.yaml")
                return ""
            } catch let problems as MappingProblems {
                return problems.description
            } catch let error as CustmigError {
                return error.description
            }
        }
        // Line 2 undecided, 3 and 4 contradict each other.
        let contradiction = try decide(
            "100001,100002,6,,,,,,,\n100001,100002,6,,,,,,merge,x\n100002,100001,6,,,,,,keep_apart,y\n")
        #expect(contradiction.contains("pairs.csv:4: error: [DUP-CONTRADICTION]"), "\(contradiction)")
        #expect(contradiction.contains("pairs.csv:3)"), "\(contradiction)")
        let unreadable = try decide("100001,100002,6,,,,,,merge,x\n\"100003,100004,6,,,,,,merge,x\n")
        #expect(unreadable.contains("pairs.csv:3: error: [CSV-QUOTE]"), "\(unreadable)")
        let selfPair = try decide("100001,100001,6,,,,,,merge,x\n")
        #expect(
            selfPair.contains("pairs.csv:2: error: [DUP-DECISIONS] customer 100001 is paired with itself"),
            "\(selfPair)")
        let steward = try Paths.scratch() + "/other.csv"
        try "key,name\n1,a\n".write(toFile: steward, atomically: true, encoding: .utf8)
        #expect(throws: CustmigError.self) {
            _ = try DuplicateReview.decide(
                workspace: workspace, stewardFile: steward, mappingPath: mappingFolder + "/mapping.yaml")
        }
        #expect(!FileManager.default.fileExists(atPath: mappingFolder + "/duplicate-decisions.csv"))
    }

    /// Raises the mapping's auto-merge threshold to a probability of 1 - 2^-40: every pair at or above
    /// the review threshold goes to a steward.
    static func demandCertainty(_ mapping: String) throws {
        let text = try String(contentsOfFile: mapping, encoding: .utf8)
        try #require(text.contains("auto_merge: 0.95"))
        try text.replacingOccurrences(of: "auto_merge: 0.95", with: "auto_merge: 75").write(
            toFile: mapping, atomically: true, encoding: .utf8)
    }
}
