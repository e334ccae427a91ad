import CustmigCore
import Foundation
import GRDB
import Testing

/// Survivorship rules per field and the mapping's `duplicates` section.
@Suite("Survivorship rules and duplicate settings")
struct SurvivorshipRulesTests {
    /// Three members of one cluster: `full` is the most complete (the default base), `recent` was
    /// created last, and two of three share the same payment terms.
    static var members: [CanonicalCustomer] {
        var full = CanonicalCustomer(key: "0000000001", legacyKey: "1")
        full.names = ["Alpha"]
        full.vatId = "DE123456789"
        full.language = "de"
        full.currency = "EUR"
        full.paymentTerms = "NT30"
        full.creditLimit = "1000.00"
        full.createdOn = "2015-01-01"
        var recent = CanonicalCustomer(key: "0000000002", legacyKey: "2")
        recent.names = ["Alpha Maschinenbau GmbH", "Werk Süd"]
        recent.paymentTerms = "NT60"
        recent.creditLimit = "25000.00"
        recent.createdOn = "2023-06-30"
        var third = CanonicalCustomer(key: "0000000003", legacyKey: "3")
        third.names = ["ALPHA"]
        third.paymentTerms = "NT60"
        third.createdOn = "2019-03-01"
        return [third, recent, full]
    }

    @Test(
        "each rule picks its member's value, never a blank one",
        arguments: [
            ("credit_limit", SurvivorshipRules.Rule.mostComplete, "1000.00"),
            ("credit_limit", .mostRecent, "25000.00"),
            ("payment_terms", .mostComplete, "NT30"),
            ("payment_terms", .mostFrequent, "NT60"),
            ("payment_terms", .mostRecent, "NT60"),
            ("vat_id", .mostRecent, "DE123456789"),
            ("created_on", .mostRecent, "2023-06-30"),
        ])
    func rule(field: String, rule: SurvivorshipRules.Rule, expected: String) {
        let golden = Survivorship.survivor(
            of: Self.members, goldenKey: "0000000001", rules: SurvivorshipRules(rules: [field: rule]))
        let value: String? =
            switch field {
            case "credit_limit": golden.creditLimit
            case "payment_terms": golden.paymentTerms
            case "vat_id": golden.vatId
            default: golden.createdOn
            }
        #expect(value == expected)
    }

    @Test("names: most complete member's by default, the longest with longest; the golden key is the one given")
    func names() {
        let byDefault = Survivorship.survivor(of: Self.members, goldenKey: "0000000003")
        #expect(byDefault.names == ["Alpha"])
        #expect(byDefault.key == "0000000003")
        let longest = Survivorship.survivor(
            of: Self.members, goldenKey: "0000000003", rules: SurvivorshipRules(rules: ["names": .longest]))
        #expect(longest.names == ["Alpha Maschinenbau GmbH", "Werk Süd"])
        // The input order never matters.
        let reversed = Survivorship.survivor(
            of: Self.members.reversed(), goldenKey: "0000000003", rules: SurvivorshipRules(rules: ["names": .longest]))
        #expect(reversed == longest)
    }

    static func settings(_ yaml: String) throws -> DuplicateSettings {
        try MappingLoader.duplicateSettings(
            "name: x\nversion: 1\nduplicates:\n" + yaml, file: "mapping.yaml")
    }

    @Test("the duplicates section: thresholds and rules read; mistakes refused with line and fix")
    func section() throws {
        let settings = try Self.settings(
            "  auto_merge: 9.5\n  review: 6\n  survivorship:\n    credit_limit: most_recent\n    names: longest\n")
        #expect(settings.autoMerge == 9.5 && settings.review == 6)
        #expect(settings.survivorship.rule("credit_limit") == .mostRecent)
        #expect(settings.survivorship.rule("vat_id") == .mostComplete)
        let unknownRule = #expect(throws: MappingProblems.self) {
            try Self.settings("  survivorship:\n    credit_limit: newest\n")
        }
        #expect(unknownRule?.problems.first?.code == "MAP-SURVIVORSHIP")
        #expect(unknownRule?.problems.first?.location?.line == 5)
        #expect(unknownRule?.problems.first?.message.contains("newest") == true)
        let unknownField = #expect(throws: MappingProblems.self) {
            try Self.settings("  survivorship:\n    credit_limt: most_recent\n")
        }
        #expect(unknownField?.problems.first?.fix?.contains("credit_limit") == true)
        let inverted = #expect(throws: MappingProblems.self) { try Self.settings("  auto_merge: 4\n  review: 6\n") }
        #expect(inverted?.problems.first?.code == "MAP-THRESHOLDS")
        let notANumber = #expect(throws: MappingProblems.self) { try Self.settings("  review: high\n") }
        #expect(notANumber?.problems.first?.code == "MAP-TYPE")
    }

    @Test("a mapping's thresholds change what merges: auto_merge above every score merges nothing")
    func stageUsesTheMapping() async throws {
        let data = try Paths.scratch()
        _ = try SampleGenerator(options: SampleOptions(rows: 600, seed: 77, formats: [.csv])).write(to: data)
        let folder = try StewardFilesTests.mappingFolder()
        let yaml = try String(contentsOfFile: folder + "/mapping.yaml", encoding: .utf8)
            .replacingOccurrences(of: "version: 1", with: "version: 3")
            .replacingOccurrences(
                of: "  auto_merge: 0.95\n  review: 0.5\n", with: "  auto_merge: 1000\n  review: 999\n")
        #expect(yaml.contains("auto_merge: 1000"))
        try yaml.write(toFile: folder + "/mapping.yaml", atomically: true, encoding: .utf8)
        let workspace = try Workspace(path: try Paths.scratch(), command: "test", writer: true)
        _ = try await MapStage.run(
            MapOptions(
                mappingPath: MappingLoaderTests.shipped("legacy-flat-csv"), extracts: [data + "/customers.csv"],
                command: "test", custmigVersion: CustmigVersion.current), workspace: workspace)
        let byDefault = try await DuplicatesStage.run(workspace: workspace, mapRun: nil, command: "test")
        #expect(byDefault.clusters > 0)
        let strict = try await DuplicatesStage.run(
            workspace: workspace, mapRun: nil,
            settings: try MappingLoader.duplicateSettings(yaml, file: folder + "/mapping.yaml"), command: "test")
        #expect(strict.outcome != "unchanged")
        #expect(strict.clusters == 0 && strict.autoMerged == 0 && strict.forReview == 0)
        // Mapped with that mapping version, the map run's own settings apply without --mapping.
        _ = try await MapStage.run(
            MapOptions(
                mappingPath: folder + "/mapping.yaml", extracts: [data + "/customers.csv"], command: "test",
                custmigVersion: CustmigVersion.current), workspace: workspace)
        let fromLedger = try await DuplicatesStage.run(workspace: workspace, mapRun: nil, command: "test")
        #expect(fromLedger.clusters == 0)
    }
}
