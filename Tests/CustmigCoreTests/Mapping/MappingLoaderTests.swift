import CustmigCore
import Foundation
import Testing

@Suite("Mapping files")
struct MappingLoaderTests {
    static func shipped(_ name: String) -> String {
        Paths.repository.appendingPathComponent("Mappings/\(name)/mapping.yaml").path
    }

    @Test("every shipped mapping loads", arguments: ["legacy-flat-csv", "sap-debmas07"])
    func shippedMappings(_ name: String) throws {
        let mapping = try MappingLoader.load(path: Self.shipped(name))
        #expect(mapping.name == name)
        #expect(mapping.version == 1)
        #expect(mapping.customer.fields["key"] != nil)
        #expect(mapping.valueMaps["payment_terms"]?.entries["NT30"] == "NT30")
        #expect(!mapping.rules.isEmpty)
    }

    @Test("the DEBMAS07 mapping reads repeated segments and nested partner functions")
    func nestedLists() throws {
        let mapping = try MappingLoader.load(path: Self.shipped("sap-debmas07"))
        let salesAreas = try #require(mapping.customer.lists.first { $0.section == .salesAreas }?.mappings.first)
        #expect(salesAreas.each == "E1KNVVM")
        #expect(salesAreas.lists.first?.mappings.first?.each == "E1KNVPM")
        #expect(mapping.source.sameKey == .highest("control.DOCNUM"))
    }

    static func problems(_ yaml: String) -> [String] {
        do {
            _ = try MappingLoader.parse(yaml, file: "m.yaml")
            return []
        } catch let error as MappingProblems {
            return error.problems.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    static let valid = """
        name: t
        version: 1
        source: {key: ID}
        customer:
          key: ID
          name1: NAME

        """

    @Test("a minimal mapping loads")
    func minimal() {
        #expect(Self.problems(Self.valid).isEmpty)
    }

    @Test(
        "mapping errors name line, column and a fix",
        arguments: [
            (
                valid + "colour: red\n",
                "m.yaml:7:1: error: [MAP-UNKNOWN-KEY] unknown key \"colour\" in the mapping. Fix: use one of the keys allowed here: "
                    + "customer, description, duplicates, load, missing_reference, name, ownership, reject_threshold, rules, "
                    + "source, value_maps, version."
            ),
            (
                valid.replacingOccurrences(of: "name1: NAME", with: "nmae1: NAME"),
                "m.yaml:6:3: error: [MAP-UNKNOWN-KEY] unknown key \"nmae1\" in customer. Fix: did you mean \"name1\"?"
            ),
            (
                valid.replacingOccurrences(
                    of: "name1: NAME", with: "name1: {from: NAME, transforms: [trim, colapse_spaces]}"),
                "m.yaml:6:42: error: [MAP-TRANSFORM] unknown transform \"colapse_spaces\" in customer.name1. Fix: did you mean \"collapse_spaces\"?"
            ),
            (
                valid + "  credit_limit: {from: AMOUNT, transforms: [phone]}\n",
                "m.yaml:7:17: error: [MAP-TYPE-MISMATCH] customer.credit_limit is a decimal field but its transforms produce a phone. Fix: use the parse_decimal transform."
            ),
            (
                valid + "  created_on: DATE\n",
                "m.yaml:7:15: error: [MAP-TYPE-MISMATCH] customer.created_on is a date field; without the parse_date transform or a value map its values are not checked. Fix: add parse_date to its transforms."
            ),
            (
                valid
                    + "  payment_terms: {from: ZTERM, map: paymnet_terms}\nvalue_maps:\n  payment_terms: {values: {A: B}}\n",
                "m.yaml:7:37: error: [MAP-VALUE-MAP] customer.payment_terms uses the value map \"paymnet_terms\", which is not declared. Fix: did you mean \"payment_terms\"?"
            ),
            (
                valid + "value_maps:\n  terms: {file: nowhere.csv}\n",
                "m.yaml:8:17: error: [MAP-VALUE-MAP-FILE] value map terms: cannot read ./nowhere.csv. Fix: put the CSV (legacy,target per line, UTF-8) beside the mapping or fix the name."
            ),
            (
                valid + "rules:\n  - id: r\n    required: nmae1\n    message: m\n",
                "m.yaml:9:15: error: [MAP-RULE-FIELD] rule r names \"nmae1\", which is not a canonical field. Fix: did you mean \"name1\"?"
            ),
            (
                valid + "  sales_areas:\n    - sales_organization: VKORG\n",
                "m.yaml:8:7: error: [MAP-REQUIRED-FIELD] customer.sales_areas[0] does not map distribution_channel, which every sales_areas element needs. Fix: add distribution_channel: SOURCE_FIELD (or {constant: …})."
            ),
            (
                valid + "  created_on: {from: DATE, transforms: [{parse_date: [dd.mm.yyyy]}]}\n",
                "m.yaml:7:54: error: [MAP-TRANSFORM] date layout \"dd.mm.yyyy\" in customer.created_on has no month: mm is minutes, MM is the month. Fix: write layouts like dd.MM.yyyy, d.M.yyyy, yyyyMMdd, MM/dd/yyyy or yyyy-MM-dd'T'HH:mm:ss."
            ),
            (
                valid.replacingOccurrences(of: "source: {key: ID}", with: "source: {key: ID, skip_lines: -2}"),
                "m.yaml:3:31: error: [MAP-TYPE] skip_lines must be a whole number from 0 to 1000, not -2."
            ),
            (
                valid + "  contacts:\n    - {where: {A: B}, last_name: NAME}\n",
                "m.yaml:8:7: error: [MAP-SHAPE] customer.contacts[0] has where: but no each:; where picks among the segments each: names. Fix: add each: SEGMENT (e.g. each: KNVP), or remove where:."
            ),
            (
                valid.replacingOccurrences(of: "version: 1", with: "version: one"),
                "m.yaml:2:10: error: [MAP-TYPE] version must be a whole number, not \"one\"."
            ),
            (
                valid.replacingOccurrences(
                    of: "name1: NAME", with: "name1: {from: NAME, transforms: [{truncate: -5}]}"),
                "m.yaml:6:47: error: [MAP-TYPE] truncate in customer.name1 must be a whole number from 1 to 1000000, not -5."
            ),
            (
                valid.replacingOccurrences(
                    of: "key: ID\n  name1", with: "key: {from: ID, transforms: [{alpha: 0}]}\n  name1"),
                "m.yaml:5:40: error: [MAP-TYPE] alpha in customer.key must be a whole number from 1 to 64, not 0."
            ),
            (
                valid.replacingOccurrences(
                    of: "name1: NAME", with: "name1: {split: {from: NAME, separator: \", \", part: -1}}"),
                "m.yaml:6:54: error: [MAP-TYPE] part must be a whole number from 0 to 1000, not -1."
            ),
            (
                valid.replacingOccurrences(of: "version: 1", with: "version: 0"),
                "m.yaml:2:10: error: [MAP-TYPE] version must be a whole number from 1, not 0."
            ),
        ] as [(String, String)])
    func errors(_ yaml: String, _ expected: String) {
        let found = Self.problems(yaml)
        #expect(found.contains(expected), "got: \(found)")
    }

    @Test("all problems are reported at once")
    func collected() {
        let yaml =
            Self.valid + "colour: red\n  size: 3\n".replacingOccurrences(of: "  size: 3\n", with: "")
            + "rules:\n  - id: r\n    message: m\n"
        let found = Self.problems(yaml)
        #expect(found.count == 2, "\(found)")
    }

    @Test("invalid YAML names the file")
    func invalidYAML() {
        #expect(throws: CustmigError.self) { _ = try MappingLoader.parse("name: [unclosed", file: "bad.yaml") }
    }
}
