import Foundation
import Testing

@testable import CustmigCore

/// Issue 25, item 7: a 5 KB mapping nesting `all:` conditions through anchors ten deep (10^10 conditions
/// once expanded) ran for minutes in growing memory. Before the fix these tests never finished.
@Suite("YAML aliases expand within a budget", .timeLimit(.minutes(1)))
struct YAMLAliasBombTests {
    /// The shipped flat-CSV mapping with `depth` levels of rules, each an `all:` of ten aliases of the one below.
    static func bomb(depth: Int, fanOut: Int = 10) throws -> (text: String, path: String) {
        let path = MappingLoaderTests.shipped("legacy-flat-csv")
        var rules = "rules:\n  - id: level0\n    reject_when: &a0 {field: name1, equals: \"zz\"}\n    message: m\n"
        for level in 1..<depth {
            let aliases = Array(repeating: "*a\(level - 1)", count: fanOut).joined(separator: ", ")
            rules += "  - id: level\(level)\n    reject_when: &a\(level) {all: [\(aliases)]}\n    message: m\n"
        }
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "rules:\n", with: rules)
        return (text, path)
    }

    @Test("ten levels of ten aliases are refused at once, naming the repeated part's line; nothing is loaded")
    func refused() throws {
        let (text, path) = try Self.bomb(depth: 10)
        #expect(text.utf8.count < 8_000)
        let anchorLine = text.components(separatedBy: "\n").firstIndex { $0.contains("&a0") }.map { $0 + 1 }
        do {
            _ = try MappingLoader.parse(text, file: path)
            Issue.record("the alias bomb loaded")
        } catch let error as CustmigError {
            #expect(error.code == "MAP-YAML-ALIASES")
            #expect(error.location?.line == anchorLine)
            #expect(error.message.contains("more than 200000 YAML nodes"))
        }
        for read in [
            { try MappingLoader.loadSettings(text, file: path) as Any },
            { try MappingLoader.duplicateSettings(text, file: path) as Any },
        ] {
            #expect(throws: CustmigError.self) { _ = try read() }
        }
    }

    @Test("aliases used as YAML intends (a shared condition, a few levels) still load and evaluate")
    func modestAliases() throws {
        let (text, path) = try Self.bomb(depth: 3)
        let mapping = try MappingLoader.parse(text, file: path)
        #expect(mapping.rules.contains { $0.id == "level2" })
        var record = MappingEngineTests.clean
        record["NAME1"] = "zz"
        let mapped = MappingEngine(mapping: mapping).map(MappingEngineTests.record(record))
        #expect(Set(mapped.findings.map(\.rule)).isSuperset(of: ["level0", "level1", "level2"]))
    }
}
