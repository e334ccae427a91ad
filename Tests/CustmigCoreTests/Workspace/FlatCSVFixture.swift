@testable import CustmigCore
import Foundation

/// Small flat-CSV extracts a test writes in the samples' columns (UTF-8, commas), and the shipped
/// flat-CSV mapping set to read them.
enum FlatCSVFixture {
    /// A row with `values` by column; a name, a German address and a sales area unless given.
    static func row(_ values: [String: String]) -> String {
        let defaults = [
            "NAME1": "Customer \(values["CUSTNO"] ?? "")", "COUNTRY": "DE", "ZIP": "10115", "SALES_ORG": "1000",
            "CHANNEL": "10", "DIVISION": "00",
        ]
        return SampleGenerator.csvColumns.map { values[$0] ?? defaults[$0] ?? "" }.joined(separator: ",")
    }

    /// Writes the header and `rows` to `path`; returns `path`.
    @discardableResult
    static func write(_ rows: [String], to path: String) throws -> String {
        try ([SampleGenerator.csvColumns.joined(separator: ",")] + rows).joined(separator: "\n").appending("\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A copy of the flat-CSV mapping reading UTF-8 with commas, with steward decisions and extra
    /// rules (YAML list items) if given; returns its `mapping.yaml`.
    static func mapping(decisions: String? = nil, addingRules rules: String = "") throws -> String {
        let folder = try StewardFilesTests.mappingFolder(decisions: decisions)
        let yaml = try String(contentsOfFile: folder + "/mapping.yaml", encoding: .utf8)
            .replacingOccurrences(of: "encoding: windows-1252", with: "encoding: utf-8")
            .replacingOccurrences(of: "delimiter: \";\"", with: "delimiter: \",\"")
            .replacingOccurrences(of: "rules:\n", with: "rules:\n" + rules)
        try yaml.write(toFile: folder + "/mapping.yaml", atomically: true, encoding: .utf8)
        return folder + "/mapping.yaml"
    }
}
