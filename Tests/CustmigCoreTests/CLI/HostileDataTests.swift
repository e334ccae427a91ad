import Foundation
import Testing

/// Legacy data that tries to act instead of being shown: escape sequences for the terminal, an extract
/// named like a link scheme, reports readable by others.
@Suite("hostile data in what custmig shows")
struct HostileDataTests {
    @Test("explain shows a value's escape sequence as text; it never reaches the terminal")
    func explainNeutralisesEscapes() throws {
        let folder = try Paths.scratch()
        var text = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        text = text.replacingLine("100001") { $0.field(5, "Berlin\u{1B}[2J\u{1B}[31mRed\u{07}") }
        try text.write(toFile: folder + "/c.csv", atomically: true, encoding: .windowsCP1252)
        _ = try CLI.run([
            "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), folder + "/c.csv", "--workspace",
            folder + "/w",
        ])
        let explained = try CLI.run(["explain", "100001", "--workspace", folder + "/w"])
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(!explained.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(explained.stdout.contains("\\u{1B}[2J\\u{1B}[31mRed\\u{7}"), "\(explained.stdout.prefix(600))")
    }

    @Test("the profile index links an extract named javascript:… as a relative file, and reports are 0600")
    func profileIndexLinksAreFiles() throws {
        let folder = try Paths.scratch()
        let hostile = folder + "/javascript:alert(1).csv"
        try FileManager.default.copyItem(atPath: Paths.samples("customers.csv"), toPath: hostile)
        let result = try CLI.run(["profile", hostile, Paths.samples("debmas07.xml"), "--out", folder + "/p"])
        #expect(result.status == 0, "\(result.stderr)")
        let index = try String(contentsOfFile: folder + "/p/index.html", encoding: .utf8)
        #expect(!index.contains("href=\"javascript:"), "\(index)")
        #expect(index.contains("href=\"./javascript%3Aalert(1).csv.profile.html\""), "\(index)")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder + "/p") {
            let mode =
                try FileManager.default.attributesOfItem(atPath: folder + "/p/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name): \(String(mode ?? 0, radix: 8))")
        }
    }

    @Test("the reconciliation's reports are readable by their owner only")
    func reconciliationIsPrivate() throws {
        let sample = try MappedSample()
        try sample.cutOver()
        for name in ["reconciliation.json", "reconciliation.html"] {
            let path = sample.workspace + "/reports/plan-1/" + name
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name): \(String(mode ?? 0, radix: 8))")
        }
    }
}
