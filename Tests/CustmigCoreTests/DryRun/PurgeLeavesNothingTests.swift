import Foundation
import Testing

/// Issue 25, item 3: after `purge --run 1 --run 3` the ledger still held golden records, finding messages
/// and plan reasons quoting source values; every report was untouched; the file kept its free pages.
/// This test plants values in an extract, runs every stage that keeps something, purges from another
/// working directory, and searches every byte of every file in the workspace for them.
@Suite("Purge leaves no byte of the purged values")
struct PurgeLeavesNothingTests {
    static let planted = [
        "Qzxplanted Holding", "qzx.planted@secret-mail.example", "not-an-email-qzxplanted", "QZXPLANTEDSTRASSE 9",
        "Qzxduplicate Gmbh",
    ]

    @Test("map, duplicates, dry run, cutover, purge from elsewhere: none of the planted values is left")
    func nothingLeft() throws {
        let folder = try Paths.scratch()
        var text = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        text = text.replacingLine("100001") { $0.field(1, Self.planted[0]).field(9, Self.planted[1]) }
        // An invalid e-mail: a finding quotes it, the plan's reason quotes the finding.
        text = text.replacingLine("100002") { $0.field(9, Self.planted[2]).field(3, Self.planted[3]) }
        // Two near-identical customers: a golden record and a pair's evidence hold the name.
        text = text.replacingLine("100003") { $0.field(1, Self.planted[4]) }
        let twin = try #require(text.components(separatedBy: "\r\n").first { $0.hasPrefix("100003;") })
        text = text.replacingLine("100004") { _ in twin.field(0, "100004") }
        try text.write(toFile: folder + "/c.csv", atomically: true, encoding: .windowsCP1252)
        let workspace = folder + "/w"
        let target = "sqlite:\(folder)/t.db"
        for step in [
            [
                "map", folder + "/c.csv", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), "--workspace",
                workspace,
            ],
            ["duplicates", "--workspace", workspace],
            ["target", "init", target, "--codes", Paths.samples("target-codes.csv")],
            ["dry-run", "--target", target, "--workspace", workspace],
            ["cutover", "latest", "--allow-unapproved", "--workspace", workspace],
        ] {
            let result = try CLI.run(step)
            #expect(result.status == 0 || result.status == 3, "\(step): \(result.stderr)")
        }
        func holders() throws -> [String] {
            var found: [String] = []
            let enumerator = FileManager.default.enumerator(atPath: workspace)
            while let name = enumerator?.nextObject() as? String {
                let path = workspace + "/" + name
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
                    continue
                }
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                for value in Self.planted where bytes.range(of: Data(value.utf8)) != nil {
                    found.append("\(name): \(value)")
                }
            }
            return found
        }
        let planted = try holders()
        #expect(planted.count >= 5, "the values are planted: \(planted)")

        let elsewhere = try Paths.scratch()
        let purge = try CLI.run(["purge", "--run", "1", "--workspace", workspace, "--target", target], in: elsewhere)
        #expect(purge.status == 0, "\(purge.stderr)")
        #expect(purge.stdout.contains("the ledger compacted from"), "\(purge.stdout)")
        let left = try holders()
        #expect(left == [], "left after purge")
        let status = try CLI.run(["status", "--workspace", workspace])
        #expect(status.status == 0, "\(status.stderr)")
    }
}
