import Foundation
import GRDB
import Testing

@testable import CustmigCore

/// A logical dump of what a map run left in the ledger, for comparing runs.
enum LedgerDump {
    static func of(_ workspace: String, run: Int64 = 1) throws -> [String] {
        let ledger = try Ledger(path: workspace + "/ledger.sqlite")
        return try ledger.database.read { db in
            var lines: [String] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT legacy_key, key, status, sequence, data, source_input, source_line, source_offset, source_index
                    FROM canonical_record WHERE run_id = ? ORDER BY legacy_key
                    """, arguments: [run])
            {
                lines.append("record \(row)")
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT legacy_key, outcome, rule, field, value, message, source_line, source_index FROM finding_shown
                    WHERE run_id = ? ORDER BY source_index, rule, field
                    """, arguments: [run])
            {
                lines.append("finding \(row)")
            }
            for row in try Row.fetchAll(
                db,
                sql: "SELECT line, record_index, code, message FROM malformed WHERE run_id = ? ORDER BY record_index",
                arguments: [run])
            {
                lines.append("malformed \(row)")
            }
            return lines
        }
    }
}

@Suite("The map stage", .serialized)
struct MapStageTests {
    static func options(_ mapping: String, _ extracts: [String], chunk: Int = 100) -> MapOptions {
        MapOptions(
            mappingPath: MappingLoaderTests.shipped(mapping), extracts: extracts, chunkSize: chunk, command: "test",
            custmigVersion: CustmigVersion.current)
    }

    @Test("mapping the samples: every record is accounted for, counted from the ledger")
    func samples() async throws {
        let tables = ["KNA1", "KNVV", "KNVP", "KNB1", "KNBK", "KNVK"].map { Paths.samples("sap-tables/\($0).txt") }
        for (mapping, extracts, records) in [
            ("legacy-flat-csv", [Paths.samples("customers.csv")], 400),
            ("sap-debmas07", [Paths.samples("debmas07.xml")], 403),
            ("sap-tables", tables, 399),
        ] {
            let folder = try Paths.scratch()
            let workspace = try Workspace(path: folder, command: "test", writer: true)
            let summary = try await MapStage.run(Self.options(mapping, extracts), workspace: workspace)
            #expect(
                summary.read == summary.mapped + summary.toReview + summary.rejected + summary.superseded
                    + summary.malformed)
            #expect(summary.read == records, "\(mapping)")
            #expect(summary.unseenSources.isEmpty, "\(mapping): \(summary.unseenSources)")
            #expect(summary.mapped > summary.read / 2)
            #expect(!summary.rejectThresholdExceeded)
            #expect(summary.reports.count == 2)
            let csv = try String(contentsOfFile: summary.reports[1], encoding: .utf8)
            #expect(csv.hasPrefix("outcome,rule,legacy_key,field,value,message,fix,file,line,record\n"))
            #expect(csv.split(separator: "\n").count > summary.rejected)
            let attributes = try FileManager.default.attributesOfItem(atPath: folder)
            #expect((attributes[.posixPermissions] as? Int) == 0o700 || folder.hasPrefix(NSTemporaryDirectory()))
            // The ledger holds personal data: the owner's alone, its WAL too.
            for file in ["ledger.sqlite", "ledger.sqlite-wal"] {
                let mode =
                    try FileManager.default.attributesOfItem(atPath: folder + "/" + file)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(file): \(String(mode ?? 0, radix: 8))")
            }
        }
    }

    @Test(
        "change IDocs for one customer: the highest DOCNUM wins wherever it stands, the loser's findings are not kept, whatever the chunk size"
    )
    func highestDocnumWins() async throws {
        let sample = try String(contentsOfFile: Paths.samples("debmas07.xml"), encoding: .utf8)
        let start = try #require(sample.range(of: "<IDOC BEGIN=\"1\">"))
        let end = try #require(sample.range(of: "</IDOC>", range: start.upperBound..<sample.endIndex))
        let template = String(sample[start.lowerBound..<end.upperBound])
        func idoc(_ docnum: String, _ customer: String, _ name: String, country: String = "NL") -> String {
            template.replacingOccurrences(of: "0000000004711001", with: docnum)
                .replacingOccurrences(of: "0000100000", with: customer)
                .replacingOccurrences(of: "Wiśniewski Maschinenbau N.V.", with: name)
                .replacingOccurrences(of: "<LAND1>NL</LAND1>", with: "<LAND1>\(country)</LAND1>")
        }
        let idocs = [
            idoc("0000000000000300", "0000100001", "Newest Name GmbH"),
            idoc("0000000000000100", "0000100001", "Oldest Name GmbH", country: "Atlantis"),
            idoc("0000000000000200", "0000100000", "First Name BV", country: "Atlantis"),
            idoc("0000000000000400", "0000100000", "Later Name BV"),
            idoc("0000000000000500", "0000100000", "Latest Name BV"),
            idoc("0000000000000050", "0000100000", "Stale Name BV", country: "Atlantis"),
        ]
        let folder = try Paths.scratch()
        let path = folder + "/changes.xml"
        try
            ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DEBMAS07>\n" + idocs.joined(separator: "\n")
            + "\n</DEBMAS07>\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        for chunk in [1, 2, 100] {
            let workspace = try Workspace(path: folder + "/w\(chunk)", command: "test", writer: true)
            let summary = try await MapStage.run(
                Self.options("sap-debmas07", [path], chunk: chunk), workspace: workspace)
            #expect(summary.read == 6 && summary.superseded == 4, "chunk \(chunk): \(summary)")
            let (names, atlantis) = try await workspace.ledger.database.read { db in
                (
                    try StoredRecords.json(db),
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM finding WHERE value = 'Atlantis'") ?? -1
                )
            }
            #expect(names.count == 2)
            #expect(names.first?.contains("Latest Name BV") == true, "chunk \(chunk)")
            #expect(names.last?.contains("Newest Name GmbH") == true, "chunk \(chunk)")
            #expect(atlantis == 0, "chunk \(chunk): the losing IDoc's finding was kept")
        }
        // Alone, the losing IDoc does leave that finding.
        let alone = folder + "/alone.xml"
        try ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DEBMAS07>\n" + idocs[1] + "\n</DEBMAS07>\n")
            .write(toFile: alone, atomically: true, encoding: .utf8)
        let workspace = try Workspace(path: folder + "/alone", command: "test", writer: true)
        _ = try await MapStage.run(Self.options("sap-debmas07", [alone]), workspace: workspace)
        let found = try await workspace.ledger.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM finding WHERE value = 'Atlantis'") ?? 0
        }
        #expect(found > 0)
    }

    @Test(
        "a unique rule flags every repeat after the first in extract order, whatever the chunk size; a steward's decision settles one; explain shows the verdict"
    )
    func uniqueInExtractOrder() async throws {
        let vats = ["DE123456789", "DE111111111", "DE123456789", "", "DE111111111", "DE123456789", "DE222222222"]
        let folder = try Paths.scratch()
        let extract = try FlatCSVFixture.write(
            vats.enumerated().map { FlatCSVFixture.row(["CUSTNO": String(1 + $0.offset), "VAT_ID": $0.element]) },
            to: folder + "/c.csv")
        let mapping = try FlatCSVFixture.mapping(
            decisions: "legacy_key,rule,decision,who\n5,vat-unique,approve,finance\n",
            addingRules: """
                  - id: vat-unique
                    unique: vat_id
                    severity: review
                    message: two customers share a VAT id
                    fix: find out which customer the VAT id belongs to

                """)
        var results: [[String]] = []
        for chunk in [1, 2, 100] {
            let workspace = try Workspace(path: folder + "/w\(chunk)", command: "test", writer: true)
            _ = try await MapStage.run(
                MapOptions(
                    mappingPath: mapping, extracts: [extract], chunkSize: chunk, command: "test",
                    custmigVersion: CustmigVersion.current), workspace: workspace)
            results.append(
                try await workspace.ledger.database.read { db in
                    try Row.fetchAll(
                        db,
                        sql: """
                            SELECT c.legacy_key, c.status, f.outcome FROM canonical_record c LEFT JOIN finding f
                            ON f.run_id = c.run_id AND f.legacy_key = c.legacy_key AND f.rule = 'vat-unique'
                            ORDER BY CAST(c.legacy_key AS INTEGER)
                            """
                    ).map {
                        "\($0["legacy_key"] as String)=\($0["status"] as String)\(($0["outcome"] as String?).map { " " + $0 } ?? "")"
                    }
                })
            if chunk == 1 {
                let repeated = try ExplainStage.explain(key: "3", run: nil, workspace: workspace)
                #expect(repeated.trace.rules.first { $0.rule == "vat-unique" }?.outcome == "review")
                let first = try ExplainStage.explain(key: "1", run: nil, workspace: workspace)
                #expect(first.trace.rules.first { $0.rule == "vat-unique" }?.outcome == "ok")
            }
        }
        #expect(results[0] == ["1=ok", "2=ok", "3=review review", "4=ok", "5=ok approved", "6=review review", "7=ok"])
        #expect(results[1] == results[0])
        #expect(results[2] == results[0])
    }

    @Test("unknown value-map codes: the 1,000 most frequent are listed, all are counted, each is in the report")
    func manyUnknownCodes() async throws {
        let folder = try Paths.scratch()
        try FlatCSVFixture.write(
            (0..<1_200).map {
                FlatCSVFixture.row(["CUSTNO": String(100_000 + $0), "BLOCKED": $0 < 10 ? "Q" : "Q\($0)"])
            },
            to: folder + "/c.csv")
        let mapping = try FlatCSVFixture.mapping()
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        let summary = try await MapStage.run(
            MapOptions(
                mappingPath: mapping, extracts: [folder + "/c.csv"], command: "test",
                custmigVersion: CustmigVersion.current), workspace: workspace)
        #expect(summary.unknownCodesTotal == 1_191)
        #expect(summary.unknownCodes.count == 1_000)
        #expect(summary.unknownCodes.first.map { "\($0.valueMap) \($0.code) \($0.count)" } == "flags Q 10")
        let report = try String(contentsOfFile: summary.reports[1], encoding: .utf8)
        #expect(report.split(separator: "\n").filter { $0.contains("value_map:flags") }.count == 1_200)
    }

    @Test("chunk size does not change the result")
    func chunking() async throws {
        let small = try Paths.scratch()
        let large = try Paths.scratch()
        _ = try await MapStage.run(
            Self.options("legacy-flat-csv", [Paths.samples("customers.csv")], chunk: 7),
            workspace: try Workspace(path: small, command: "test", writer: true))
        _ = try await MapStage.run(
            Self.options("legacy-flat-csv", [Paths.samples("customers.csv")], chunk: 10_000),
            workspace: try Workspace(path: large, command: "test", writer: true))
        #expect(try LedgerDump.of(small) == LedgerDump.of(large))
    }

    @Test("a finished run with the same inputs is a no-op that says so")
    func rerun() async throws {
        let folder = try Paths.scratch()
        let workspace = try Workspace(path: folder, command: "test", writer: true)
        let first = try await MapStage.run(
            Self.options("sap-debmas07", [Paths.samples("debmas07.xml")]), workspace: workspace)
        let second = try await MapStage.run(
            Self.options("sap-debmas07", [Paths.samples("debmas07.xml")]), workspace: workspace)
        #expect(first.outcome == "done")
        #expect(second.outcome == "unchanged")
        #expect(second.run == first.run)
        #expect(second.mapped == first.mapped)
    }

    @Test("a used mapping version whose content changed is refused, naming both checksums")
    func versionChanged() async throws {
        let folder = try Paths.scratch()
        let mappingFolder = try Paths.scratch()
        let original = MappingLoaderTests.shipped("legacy-flat-csv")
        let copy = mappingFolder + "/mapping.yaml"
        try FileManager.default.copyItem(atPath: original, toPath: copy)
        try FileManager.default.copyItem(
            atPath: (original as NSString).deletingLastPathComponent + "/payment-terms.csv",
            toPath: mappingFolder + "/payment-terms.csv")
        let workspace = try Workspace(path: folder, command: "test", writer: true)
        var options = Self.options("legacy-flat-csv", [Paths.samples("customers.csv")])
        options.mappingPath = copy
        _ = try await MapStage.run(options, workspace: workspace)
        // A value-map file is part of the version too.
        try "legacy,target\n14T,NT14\n".write(
            toFile: mappingFolder + "/payment-terms.csv", atomically: true, encoding: .utf8)
        await #expect {
            _ = try await MapStage.run(options, workspace: workspace)
        } throws: { error in
            guard let error = error as? CustmigError, error.code == "MAP-VERSION-CHANGED" else { return false }
            return error.description.contains("was used with checksum")
                && error.description.contains("bump version: to 2")
        }
        let bumped = try String(contentsOfFile: copy, encoding: .utf8).replacingOccurrences(
            of: "version: 1", with: "version: 2")
        try bumped.write(toFile: copy, atomically: true, encoding: .utf8)
        let summary = try await MapStage.run(options, workspace: workspace)
        #expect(summary.run == 2)
        #expect(summary.mappingVersion == 2)
    }

    @Test("a second writer is refused with the holder's name")
    func lock() throws {
        let folder = try Paths.scratch()
        let holder = try Workspace(path: folder, command: "custmig map --mapping m.yaml a.csv", writer: true)
        #expect {
            _ = try Workspace(path: folder, command: "custmig map b.csv", writer: true)
        } throws: { error in
            guard let error = error as? CustmigError else { return false }
            return error.kind == .locked && error.description.contains("pid \(getpid())")
                && error.description.contains("custmig map --mapping m.yaml a.csv")
        }
        _ = holder
    }
}

@Suite("References between customers", .serialized)
struct ReferenceTests {
    @Test(
        "a parent missing from the extract, rejected in it, or not loaded clean by an earlier run sends the child to review; the check is the same in pages of one"
    )
    func parents() async throws {
        let folder = try Paths.scratch()
        func row(_ key: String, parent: String, deleted: String = "") -> String {
            FlatCSVFixture.row(["CUSTNO": key, "PARENT_NO": parent, "DELETED": deleted])
        }
        let first = try FlatCSVFixture.write(
            [
                row("1", parent: ""), row("2", parent: "1"), row("3", parent: "77"), row("4", parent: "", deleted: "X"),
                row("5", parent: "4"),
            ], to: folder + "/first.csv")
        let second = try FlatCSVFixture.write(
            [row("6", parent: "1"), row("7", parent: "3"), row("8", parent: "4")], to: folder + "/second.csv")
        let mapping = try FlatCSVFixture.mapping()
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        func map(_ extract: String) async throws -> MapSummary {
            try await MapStage.run(
                MapOptions(
                    mappingPath: mapping, extracts: [extract], command: "test",
                    custmigVersion: CustmigVersion.current), workspace: workspace)
        }
        func state(run: Int64) throws -> [String] {
            try workspace.ledger.database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.legacy_key, c.status, GROUP_CONCAT(f.value) AS missing FROM canonical_record c
                        LEFT JOIN finding f ON f.run_id = c.run_id AND f.legacy_key = c.legacy_key AND f.rule = 'reference'
                        WHERE c.run_id = ? GROUP BY c.legacy_key ORDER BY c.legacy_key
                        """, arguments: [run]
                ).map {
                    "\($0["legacy_key"] as String)=\($0["status"] as String)\(($0["missing"] as String?).map { " ->" + $0 } ?? "")"
                }
            }
        }
        #expect(try await map(first).perRule.first { $0.rule == "reference" }?.count == 2)
        let firstState = ["1=ok", "2=ok", "3=review ->77", "4=rejected", "5=review ->4"]
        #expect(try state(run: 1) == firstState)
        // Run 2: customer 1 was loaded clean by run 1; 3 went to review and 4 was rejected there.
        #expect(try await map(second).perRule.first { $0.rule == "reference" }?.count == 2)
        let secondState = ["6=ok", "7=review ->3", "8=review ->4"]
        #expect(try state(run: 2) == secondState)
        let loaded = try MappingLoader.load(path: mapping)
        for run: Int64 in [1, 2] {
            try MapStage.checkReferences(run: run, mapping: loaded, ledger: workspace.ledger, pageSize: 1)
        }
        #expect(try state(run: 1) == firstState)
        #expect(try state(run: 2) == secondState)
    }
}

@Suite("Several source files joined by key", .serialized)
struct JoinTests {
    @Test("KNA1 + KNVV: child rows become sales areas; orphans are counted per file")
    func kna1knvv() async throws {
        let folder = Paths.fixture("join")
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        let summary = try await MapStage.run(
            MapOptions(
                mappingPath: folder + "/mapping.yaml", extracts: [folder + "/KNA1.csv", folder + "/KNVV.csv"],
                chunkSize: 1,
                command: "test", custmigVersion: CustmigVersion.current), workspace: workspace)
        #expect(summary.read == 3)
        #expect(summary.mapped == 3)
        #expect(summary.orphans.count == 1)
        #expect(summary.orphans.first?.source == "KNVV")
        #expect(summary.orphans.first?.rows == 1)
        #expect(summary.orphans.first?.examples == ["0000199999"])
        let customers = try await workspace.ledger.database.read { db in try StoredRecords.customers(db) }
        #expect(customers.count == 3)
        #expect(customers.map { $0.salesAreas.count } == [2, 0, 1])
        #expect(customers[0].salesAreas.map(\.salesOrganization) == ["1000", "2000"])
        let explanation = try ExplainStage.explain(key: "0000100001", run: nil, workspace: workspace)
        #expect(
            explanation.trace.fields.contains { $0.field == "sales_areas[1].sales_organization" && $0.value == "2000" })
    }

    @Test("a key spelt with a decomposed umlaut in one file and a composed one in the other still joins")
    func unicodeKeys() async throws {
        let folder = try Paths.scratch()
        try FileManager.default.copyItem(
            atPath: Paths.fixture("join") + "/mapping.yaml", toPath: folder + "/mapping.yaml")
        try "KUNNR,NAME1,LAND1,ORT01\nM\u{00DC}LLER01,Müller GmbH,DE,Berlin\n"
            .write(toFile: folder + "/KNA1.csv", atomically: true, encoding: .utf8)
        try "KUNNR,VKORG,VTWEG,SPART,ZTERM\nMU\u{0308}LLER01 ,1000,10,00,NT30\n"
            .write(toFile: folder + "/KNVV.csv", atomically: true, encoding: .utf8)
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        let summary = try await MapStage.run(
            MapOptions(
                mappingPath: folder + "/mapping.yaml", extracts: [folder + "/KNA1.csv", folder + "/KNVV.csv"],
                command: "test", custmigVersion: CustmigVersion.current), workspace: workspace)
        #expect(summary.orphans.isEmpty, "\(summary.orphans)")
        let customer = try await #require(
            try workspace.ledger.database.read { db in try StoredRecords.customers(db).first })
        #expect(customer.salesAreas.map(\.salesOrganization) == ["1000"])
    }

    @Test("an extract matching no declared file is refused")
    func unmatched() async throws {
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        await #expect {
            _ = try await MapStage.run(
                MapOptions(
                    mappingPath: Paths.fixture("join/mapping.yaml"), extracts: [Paths.samples("customers.csv")],
                    command: "test", custmigVersion: CustmigVersion.current), workspace: workspace)
        } throws: { error in
            (error as? CustmigError)?.code == "MAP-SOURCE-FILE"
        }
    }

    @Test("the ledger's fast JSON reads back as the same canonical customer")
    func jsonRoundTrip() throws {
        let engine = try MappingEngineTests.engine("legacy-flat-csv")
        let customer = try #require(engine.map(MappingEngineTests.record(MappingEngineTests.clean)).customer)
        let decoded = try JSONDecoder().decode(CanonicalCustomer.self, from: Data(customer.jsonText.utf8))
        #expect(decoded == customer)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(customer), as: UTF8.self) == customer.jsonText)
    }
}

@Suite("Mapping against the extract's columns", .serialized)
struct ColumnCheckTests {
    @Test("a mapping reading a column the CSV lacks is refused before anything is mapped, with a suggestion")
    func missingColumn() async throws {
        let folder = try StewardFilesTests.mappingFolder()
        let yaml = try String(contentsOfFile: folder + "/mapping.yaml", encoding: .utf8)
            .replacingOccurrences(of: "from: CITY,", with: "from: TOWN,")
        try yaml.write(toFile: folder + "/mapping.yaml", atomically: true, encoding: .utf8)
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        await #expect {
            _ = try await MapStage.run(
                MapOptions(
                    mappingPath: folder + "/mapping.yaml", extracts: [Paths.samples("customers.csv")], command: "test",
                    custmigVersion: CustmigVersion.current), workspace: workspace)
        } throws: { error in
            (error as? MappingProblems)?.problems.first?.description.contains(
                "[MAP-COLUMN] the mapping reads column \"TOWN\"") == true
        }
        let runs = try await workspace.ledger.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run")
        }
        #expect(runs == 0)
    }
}

extension ColumnCheckTests {
    @Test("a tab-separated file under a ';' mapping gets one MAP-DELIMITER message, not one per column")
    func wrongDelimiter() async throws {
        let sample = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        let extract = try Paths.scratch() + "/export.txt"
        try sample.replacingOccurrences(of: ";", with: "\t").write(toFile: extract, atomically: true, encoding: .utf8)
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        await #expect {
            _ = try await MapStage.run(
                MapOptions(
                    mappingPath: MappingLoaderTests.shipped("legacy-flat-csv"), extracts: [extract], command: "test",
                    custmigVersion: CustmigVersion.current), workspace: workspace)
        } throws: { error in
            let problems = (error as? MappingProblems)?.problems ?? []
            return problems.count == 1 && problems[0].code == "MAP-DELIMITER"
                && problems[0].description.contains("the file looks tab-separated")
        }
    }
}

@Suite("Problems with an extract as a whole", .serialized)
struct ExtractProblemTests {
    static func map(
        _ mapping: String, _ content: String, name: String, scope: MapScope = .full
    ) async throws -> MapSummary {
        let extract = try Paths.scratch() + "/" + name
        try Data(content.utf8).write(to: URL(fileURLWithPath: extract))
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        return try await MapStage.run(
            MapOptions(
                mappingPath: MappingLoaderTests.shipped(mapping), extracts: [extract], scope: scope, command: "test",
                custmigVersion: CustmigVersion.current), workspace: workspace)
    }

    @Test("a CSV given to an XML mapping (or XML to a CSV one) is refused with one message before anything is read")
    func wrongFormat() async throws {
        for (mapping, content, name) in [
            ("sap-debmas07", "KUNNR;NAME1\n1;Alpha\n", "export.xml"),
            ("legacy-flat-csv", "<?xml version=\"1.0\"?><DEBMAS07><IDOC/></DEBMAS07>", "customers.csv"),
        ] {
            await #expect {
                _ = try await Self.map(mapping, content, name: name)
            } throws: { error in
                let problems = (error as? MappingProblems)?.problems ?? []
                return problems.count == 1 && problems[0].code == "MAP-FORMAT" && problems[0].message.contains(name)
            }
        }
    }

    @Test(
        "a file that starts like XML but is not fails the run's gate with the parser's message, not a silent 'read 0'")
    func notXML() async throws {
        let summary = try await Self.map("sap-debmas07", "<html><body>Login required<br></body>", name: "export.xml")
        #expect(summary.read == 0)
        #expect(summary.extractGateFailed)
        #expect(summary.extractProblems.contains { $0.contains("export.xml:1: error [XML-SYNTAX]") })
    }

    @Test(
        "SAP table downloads give the same sales areas and partner functions (KNVP picked per sales area by where:) as the IDocs"
    )
    func tablesMatchIDocs() async throws {
        func salesAreas(_ mapping: String, _ extracts: [String]) async throws -> [String: String] {
            let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
            _ = try await MapStage.run(MapStageTests.options(mapping, extracts), workspace: workspace)
            return try await workspace.ledger.database.read { db in
                var result: [String: String] = [:]
                for record in try StoredRecords.read(db) {
                    result[record.legacyKey] = record.customer?.salesAreas.map { area in
                        "\(area.salesOrganization)/\(area.distributionChannel): "
                            + area.partners.map { "\($0.role.rawValue)=\($0.customerKey)" }.joined(separator: ",")
                    }.joined(separator: "; ")
                }
                return result
            }
        }
        let tables = ["KNA1", "KNVV", "KNVP", "KNB1", "KNBK", "KNVK"].map { Paths.samples("sap-tables/\($0).txt") }
        let fromTables = try await salesAreas("sap-tables", tables)
        let fromIDocs = try await salesAreas("sap-debmas07", [Paths.samples("debmas07.xml")])
        var compared = 0
        for (key, areas) in fromTables {
            guard let other = fromIDocs[key] else { continue }
            #expect(areas == other, "\(key)")
            compared += 1
        }
        #expect(compared > 390)
        #expect(fromTables.values.contains { $0.contains("payer") && $0.contains("ship_to") })
    }

    @Test("identical files without records are not 'the same extract twice': empty bank and contact downloads")
    func emptyJoinedFiles() async throws {
        let folder = try Paths.scratch()
        var extracts: [String] = []
        for table in ["KNA1", "KNVV", "KNVP", "KNB1", "KNBK", "KNVK"] {
            let path = folder + "/\(table).txt"
            if table == "KNBK" || table == "KNVK" {
                try Data().write(to: URL(fileURLWithPath: path))
            } else {
                try FileManager.default.copyItem(atPath: Paths.samples("sap-tables/\(table).txt"), toPath: path)
            }
            extracts.append(path)
        }
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        let summary = try await MapStage.run(MapStageTests.options("sap-tables", extracts), workspace: workspace)
        #expect(summary.read == 399)
        #expect(summary.unseenSources == ["each: KNBK (bank_accounts[0])", "each: KNVK (contacts[0])"])
    }

    @Test("the same extract given twice is refused: every record would be read twice")
    func sameExtractTwice() async throws {
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        let copy = try Paths.scratch() + "/copy.csv"
        try FileManager.default.copyItem(atPath: Paths.samples("customers.csv"), toPath: copy)
        await #expect {
            _ = try await MapStage.run(
                MapStageTests.options("legacy-flat-csv", [Paths.samples("customers.csv"), copy]), workspace: workspace)
        } throws: { error in
            (error as? CustmigError)?.code == "MAP-INPUT-TWICE"
        }
    }

    @Test("a full-scope extract without records fails the gate; a delta one without changes only says so")
    func emptyExtract() async throws {
        let header =
            "CUSTNO;NAME1;NAME2;STREET;ZIP;CITY;COUNTRY;PHONE;FAX;EMAIL;VAT_ID;LANG;CURRENCY;PAY_TERMS;"
            + "CREDIT_LIMIT;CREATED;BLOCKED;DELETED;PARENT_NO;ACCOUNT_GROUP;SALES_ORG;CHANNEL;DIVISION;INCOTERMS;IBAN;"
            + "CONTACT_NAME;CONTACT_PHONE;CONTACT_EMAIL;INDUSTRY\r\n"
        let full = try await Self.map("legacy-flat-csv", header, name: "full.csv")
        #expect(full.extractGateFailed)
        #expect(full.extractProblems.last?.contains("a full-scope run without records") == true)
        let delta = try await Self.map("legacy-flat-csv", header, name: "delta.csv", scope: .delta)
        #expect(!delta.extractGateFailed)
        #expect(delta.extractProblems.last?.hasPrefix("no record was read") == true)
    }

    @Test("a truncated XML export fails the gate although the records before the cut are mapped")
    func truncatedXML() async throws {
        let sample = try String(contentsOfFile: Paths.samples("debmas07.xml"), encoding: .utf8)
        let cut = String(sample.prefix(sample.count / 2))
        let summary = try await Self.map("sap-debmas07", cut, name: "cut.xml")
        #expect(summary.read > 100)
        #expect(summary.malformed == 1)
        #expect(summary.extractGateFailed)
        #expect(summary.extractProblems.contains { $0.contains("error [XML-TRUNCATED]") })
        #expect(!summary.rejectThresholdExceeded)
    }
}

@Suite("XML exports of any shape", .serialized)
struct XMLShapeTests {
    static func map(_ mappingText: String) async throws -> (MapSummary, [String]) {
        let folder = try Paths.scratch()
        try mappingText.write(toFile: folder + "/mapping.yaml", atomically: true, encoding: .utf8)
        let workspacePath = try Paths.scratch()
        let workspace = try Workspace(path: workspacePath, command: "test", writer: true)
        let summary = try await MapStage.run(
            MapOptions(
                mappingPath: folder + "/mapping.yaml", extracts: [Paths.fixture("crm-xml/accounts.xml")],
                command: "test",
                custmigVersion: CustmigVersion.current), workspace: workspace)
        let data = try await workspace.ledger.database.read { db in try StoredRecords.json(db) }
        return (summary, data)
    }

    static let mapping = (try? String(contentsOfFile: Paths.fixture("crm-xml/mapping.yaml"), encoding: .utf8)) ?? ""

    @Test(
        "nested lists are read by path (each: Addresses/Address), attributes by @name, an element with attributes by its text"
    )
    func nestedPaths() async throws {
        let (summary, data) = try await Self.map(Self.mapping)
        #expect(summary.mapped == 2)
        #expect(summary.unseenSources.isEmpty)
        let first = try #require(data.first)
        #expect(first.contains(#""city":"Berlin""#) && first.contains(#""city":"Potsdam""#))
        #expect(first.contains(#""kind":"ship_to""#))
        #expect(first.contains(#""names":["Müller & Söhne <GmbH>"]"#))
        #expect(data.last?.contains(#""status":"blocked""#) == true)
    }

    @Test("a misspelt element or segment path is named in the summary instead of mapping to nothing in silence")
    func misspeltPaths() async throws {
        let misspelt = Self.mapping.replacingOccurrences(of: "Addresses/Address", with: "Addresses/Adress")
            .replacingOccurrences(of: "from: Email", with: "from: EMail")
        let (summary, data) = try await Self.map(misspelt)
        #expect(summary.unseenSources == ["EMail (contacts.email)", "each: Addresses/Adress (addresses[0])"])
        #expect(data.allSatisfy { $0.contains(#""addresses":[]"#) })
    }

    @Test("record paths: first segment per step, #text of an element with attributes, all segments across lists")
    func recordPaths() throws {
        let address = { (city: String) in
            Record(fields: [Field("City", .text(city))], position: .init(file: "x", line: 1, byteOffset: nil, index: 1))
        }
        let country = Record(
            fields: [Field("@code", .text("DE")), Field("#text", .text("Germany"))],
            position: .init(file: "x", line: 1, byteOffset: nil, index: 1))
        let list = Record(
            fields: [Field("Address", .list([address("Berlin"), address("Potsdam")]))],
            position: .init(file: "x", line: 1, byteOffset: nil, index: 1))
        let record = Record(
            fields: [Field("Country", .list([country])), Field("Addresses", .list([list, list]))],
            position: .init(file: "x", line: 1, byteOffset: nil, index: 1))
        #expect(record.text(atPath: "Country") == "Germany")
        #expect(record.text(atPath: "Country/@code") == "DE")
        #expect(record.text(atPath: "Addresses/Address/City") == "Berlin")
        #expect(record.text(atPath: "Addresses/Nothing") == nil)
        #expect(record.segments(atPath: "Addresses/Address").count == 4)
        #expect(record.segments(atPath: "Addresses").count == 2)
        #expect(record.segments(atPath: "/").isEmpty)
        #expect(record.segments(atPath: "/Addresses//Address/").count == 4)
        #expect(record.text(atPath: "/") == nil)
    }
}

@Suite("Reports people open in a spreadsheet")
struct SpreadsheetCellTests {
    @Test(
        "legacy text that a spreadsheet would run as a formula gets an apostrophe; numbers and plain text stay",
        arguments: [
            ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("-1234.56", "-1234.56"),
            ("+49301234567", "+49301234567"), ("Müller, Anna", "\"Müller, Anna\""), ("", ""), ("-", "'-"),
            ("Zu\u{308}rich \"Süd\"\r\nAG", "\"Zu\u{308}rich \"\"Süd\"\"\r\nAG\""),
        ])
    func cells(_ value: String, _ expected: String) {
        #expect(RejectReport.spreadsheetCell(value) == expected)
    }

    @Test("a name written as a formula reaches findings.csv defused")
    func findingsCSV() async throws {
        let header =
            "CUSTNO;NAME1;NAME2;STREET;ZIP;CITY;COUNTRY;PHONE;FAX;EMAIL;VAT_ID;LANG;CURRENCY;PAY_TERMS;"
            + "CREDIT_LIMIT;CREATED;BLOCKED;DELETED;PARENT_NO;ACCOUNT_GROUP;SALES_ORG;CHANNEL;DIVISION;INCOTERMS;IBAN;"
            + "CONTACT_NAME;CONTACT_PHONE;CONTACT_EMAIL;INDUSTRY\r\n"
        let row =
            "100;Alpha;;Hauptstr. 1;10115;Berlin;DE;;;=HYPERLINK(\"http://evil\");;DE;EUR;Z030;;;;;;KUNA;1000;10;00;;;;;=cmd|calc;\r\n"
        let summary = try await ExtractProblemTests.map("legacy-flat-csv", header + row, name: "f.csv")
        let csvPath = try #require(summary.reports.first { $0.hasSuffix(".csv") })
        let csv = try String(contentsOfFile: csvPath, encoding: .utf8)
        #expect(csv.contains("'=cmd|calc"))
        #expect(!csv.contains(",=cmd"))
    }
}

@Suite("Joined rows as the ledger stages them")
struct StagedRowTextTests {
    static let position = SourcePosition(file: "KNVV.txt", line: 2, byteOffset: 0, index: 1)

    @Test(
        "flat rows, rows with separator bytes, nested rows and rows staged as JSON by an earlier version all read back")
    func roundTrip() throws {
        let flat = Record(
            fields: [
                Field("KUNNR", .text("0000100001")), Field("VKORG", .text("")), Field("NAME", .text("Müller, \"A\"\n")),
            ], position: Self.position)
        let odd = Record(
            fields: [Field("KUNNR", .text("1")), Field("X", .text("a\u{1F}b\u{1E}c"))], position: Self.position)
        let nested = Record(
            fields: [
                Field("KUNNR", .text("1")),
                Field("E1", .list([Record(fields: [Field("A", .text("b"))], position: Self.position)])),
            ],
            position: Self.position)
        for record in [flat, odd, nested, Record(fields: [], position: Self.position)] {
            let text = StagedRowText.encode(record)
            // JSON-staged rows come back with their fields in name order; lookups are by name.
            let sorted = { (fields: [Field]) in
                Record(fields: fields.sorted { $0.name < $1.name }, position: Self.position)
            }
            #expect(RecordJSON.render(sorted(StagedRowText.decode(text))) == RecordJSON.render(sorted(record.fields)))
        }
        #expect(StagedRowText.encode(flat).utf8.first == 0x1D)
        #expect(StagedRowText.encode(odd).hasPrefix("{"))
        #expect(StagedRowText.decode(RecordJSON.render(flat)).count == 3)
    }
}
