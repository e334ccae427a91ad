import Foundation
import GRDB
import Testing

/// Issue 25, item 1: memory grew with the number of fields, not the data. `profile` set aside ~290 KB
/// per field: 40,000 different empty elements in one 0.35 MB record peaked at 7.8 GB, 2,000 CSV
/// columns (15 KB) at 1.2 GB, a 1M-column header aborted; an element with 200,000 attributes kept
/// libxml2 busy for 17-90 s; `map` listed every column in each of 27 messages. Each command here runs
/// under a 500 MB address-space limit; before the fix `profile` died on all of them.
@Suite("Wide and odd extracts stay within 500 MB", .serialized)
struct WideExtractMemoryTests {
    static let limitKB = 500_000
    static let head = """
        <?xml version="1.0" encoding="UTF-8"?>
        <DEBMAS07>
        <IDOC BEGIN="1">

        """

    /// One DEBMAS07 record whose customer segment holds `elements` (its text) after the usual fields.
    static func xml(_ folder: String, _ name: String, segmentAttributes: String = "", elements: String) throws -> String
    {
        let path = folder + "/" + name
        let text =
            head + "<E1KNA1M SEGMENT=\"1\"\(segmentAttributes)><KUNNR>0000100000</KUNNR><NAME1>Alpha</NAME1>"
            + elements + "</E1KNA1M>\n</IDOC>\n</DEBMAS07>\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func csv(_ folder: String, _ name: String, columns: Int) throws -> String {
        let path = folder + "/" + name
        let header = (0..<columns).map { "COLUMN\($0)" }.joined(separator: ";")
        try (header + "\n" + (0..<columns).map { _ in "1" }.joined(separator: ";") + "\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func expectWithinLimit(_ result: CLI.Output, _ what: String) {
        // 134 is an abort (failed to allocate), 137 a kill, 139 a crash; the exit codes of custmig are 0-66.
        #expect(result.status <= 66, "\(what): status \(result.status) \(result.stderr.suffix(400))")
        #expect(!result.stderr.contains("allocate"), "\(what)")
    }

    @Test("40,000 different empty elements and 300,000 different elements in one record")
    func wideXML() throws {
        let folder = try Paths.scratch()
        let empty = try Self.xml(folder, "empty.xml", elements: (0..<40_000).map { "<F\($0)/>" }.joined())
        let named = try Self.xml(folder, "named.xml", elements: (0..<300_000).map { "<F\($0)>v</F\($0)>" }.joined())
        for file in [empty, named] {
            let profile = try CLI.run(["profile", file, "--out", folder + "/p"], memoryLimitKB: Self.limitKB)
            Self.expectWithinLimit(profile, "profile \(file)")
            #expect(profile.status == 0)
            let peek = try CLI.run(["peek", "--count", file], memoryLimitKB: Self.limitKB)
            Self.expectWithinLimit(peek, "peek \(file)")
            #expect(peek.stdout.contains("records: 1"))
        }
        let profile = try CLI.run(["profile", named, "--out", folder + "/p"])
        #expect(
            profile.stdout.contains(
                "the first 9999 were profiled and the other 290007 (from E1KNA1M/F9993 on) were not"),
            "\(profile.stdout.suffix(800))")
        let map = try CLI.run(
            ["map", named, "--mapping", MappingLoaderTests.shipped("sap-debmas07"), "--workspace", folder + "/w"],
            memoryLimitKB: Self.limitKB)
        Self.expectWithinLimit(map, "map")
    }

    @Test("2,000 and 1,000,000 CSV columns; the map names a few columns, not all of them")
    func wideCSV() throws {
        let folder = try Paths.scratch()
        let wide = try Self.csv(folder, "wide.csv", columns: 2_000)
        let widest = try Self.csv(folder, "widest.csv", columns: 1_000_000)
        for file in [wide, widest] {
            let profile = try CLI.run(["profile", file, "--out", folder + "/p"], memoryLimitKB: Self.limitKB)
            Self.expectWithinLimit(profile, "profile \(file)")
            #expect(profile.status == 0)
        }
        let map = try CLI.run(
            ["map", widest, "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), "--workspace", folder + "/w"],
            memoryLimitKB: Self.limitKB)
        Self.expectWithinLimit(map, "map")
        #expect(map.status == 64)
        #expect(map.stderr.contains("[MAP-COLUMN] the mapping reads column \"CUSTNO\""))
        #expect(map.stderr.contains("use one of the 1000000 columns of the extract (the first 40: COLUMN0, COLUMN1"))
        #expect(map.stderr.utf8.count < 40_000, "\(map.stderr.utf8.count) bytes of messages")
    }

    @Test("an element with 200,000 attributes is refused before libxml2 compares them pairwise")
    func manyAttributes() throws {
        let folder = try Paths.scratch()
        let attributes = (0..<200_000).map { " a\($0)=\"1\"" }.joined()
        let file = try Self.xml(folder, "attributes.xml", segmentAttributes: attributes, elements: "")
        for arguments in [["peek", "--count", file], ["profile", file, "--out", folder + "/p"]] {
            let result = try CLI.run(arguments, memoryLimitKB: Self.limitKB)
            Self.expectWithinLimit(result, arguments[0])
            #expect(result.status == 66)
            #expect(
                result.stderr.contains("[XML-ATTRIBUTES] the element <E1KNA1M> starting at byte"), "\(result.stderr)")
        }
        // 10,000 attributes are still read.
        let some = (0..<5_000).map { " a\($0)=\"1\"" }.joined()
        let fine = try Self.xml(folder, "some.xml", segmentAttributes: some, elements: "")
        #expect(try CLI.run(["peek", "--count", fine]).stdout.contains("records: 1"))
    }

    @Test("a 5 MB name cut by truncate is noted with its first 1,000 characters, not stored again whole")
    func hugeValueNote() throws {
        let folder = try Paths.scratch()
        let sample = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        let big = sample.replacingLine("100001") { $0.field(1, "Big " + String(repeating: "y", count: 5_000_000)) }
        try big.write(toFile: folder + "/c.csv", atomically: true, encoding: .utf8)
        let map = try CLI.run([
            "map", folder + "/c.csv", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), "--workspace",
            folder + "/w",
        ])
        #expect(map.status <= 3, "\(map.stderr)")
        let ledger = try FileManager.default.attributesOfItem(atPath: folder + "/w/ledger.sqlite")[.size] as? Int ?? 0
        #expect(ledger < 3 << 20, "ledger \(ledger) bytes for a 5 MB value")
        let stored = try DatabaseQueue(path: folder + "/w/ledger.sqlite").read { db in
            try Int.fetchOne(db, sql: "SELECT MAX(length(value)) FROM finding WHERE rule = 'note:truncate'")
        }
        #expect((stored ?? 0) > 1_000 && (stored ?? 0) < 1_200, "\(stored ?? 0)")
    }
}
