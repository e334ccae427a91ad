import Foundation
import Testing

@testable import CustmigCore

/// Issue 25, item 2: a record past the size limit was cut there, its quote called unterminated, and every
/// line after the cut became a "malformed" record of its own (35M line breaks in one field: 36.7M findings,
/// 10.7 GB); a quote opened on line 2 and closed 115 lines later swallowed 114 customers without a word.
@Suite("Malformed records are bounded and explained", .serialized)
struct MalformedRecordBoundsTests {
    /// Reads every record and finding of a CSV file with a small record limit.
    static func read(_ text: String, limit: Int = 1 << 20) throws -> (records: [Record], findings: [Finding]) {
        let path = try Paths.scratch() + "/x.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var options = ExtractOptions()
        options.maxRecordBytes = limit
        let reader = try CSVRecordReader(path: path, options: options)
        var records: [Record] = []
        while let record = try reader.next() { records.append(record) }
        return (records, reader.drainFindings().filter { $0.severity == .error })
    }

    /// 6 MB: past the 4 MB the reader takes at a time, so the record is still open when the limit is checked.
    static let breaks = String(repeating: "x\n", count: 3_000_000)

    @Test("a record past the limit whose quote does close is skipped whole, as one finding; reading goes on after it")
    func oversizeClosed() throws {
        let (records, findings) = try Self.read("A;B;C\n0;a;b\n1;\"" + Self.breaks + "\";z\n2;b;c\n")
        #expect(records.map { $0["A"]?.text } == ["0", "2"])
        #expect(records.last?.position.line == 3_000_004)
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.code == "CSV-TOO-LARGE")
        #expect(finding.location.line == 3)
        #expect(
            finding.message.contains("the record on lines 3-3000003 is 5 MB, more than the 1 MB one record may take"))
        #expect(
            finding.message.contains("holds 3000000 line breaks")
                || finding.message.contains("skipped the whole record"))
        #expect(finding.message.contains("read on after line 3000003"))
    }

    @Test("a record past the limit whose quote never closes is skipped to the end of the file, saying so")
    func oversizeOpen() throws {
        let (records, findings) = try Self.read("A;B;C\n0;a;b\n1;\"" + Self.breaks + "2;b;c\n")
        #expect(records.map { $0["A"]?.text } == ["0"])
        #expect(findings.map(\.code) == ["CSV-TOO-LARGE"])
        #expect(findings.first?.message.contains("a quoted field in it never closes") == true)
        #expect(findings.first?.message.contains("the lines after line 3 were not read") == true)
    }

    @Test("one line past the limit without a line break is one finding")
    func oversizeLine() throws {
        let (records, findings) = try Self.read("A;B;C\n1;" + String(repeating: "y", count: 6 << 20) + ";c\n2;b;c\n")
        #expect(records.map { $0["A"]?.text } == ["2"])
        #expect(findings.map(\.code) == ["CSV-TOO-LARGE"])
    }

    @Test("a quote that swallows whole records is named with the lines it spans, ragged or not")
    func swallowed() throws {
        let inner = (2..<116).map { "\($0);Name \($0);City" }.joined(separator: "\n")
        let (records, findings) = try Self.read(
            "A;B;C\n1;\"Open quote;Berlin\n" + inner + "\n116;Closer\";Paris\n117;b;c\n")
        #expect(records.map { $0["A"]?.text } == ["117"])
        let finding = try #require(findings.first)
        #expect(finding.code == "CSV-SWALLOWED")
        #expect(
            finding.message.contains(
                "the quoted field \"B\" runs from line 2 to line 117, and 114 of its lines have 3 fields each"))

        let ragged = try Self.read("A;B;C;D\n1;\"x\n2;b;c;d\n3\";y\n4;b;c;d\n")
        #expect(ragged.findings.map(\.code) == ["CSV-RAGGED"])
        #expect(ragged.findings.first?.message.contains("The record runs from line 2 to line 4") == true)

        let address = try Self.read("A;B;C\n1;\"Hauptstr. 5\nHinterhaus\nApt 3\";c\n")
        #expect(address.findings.isEmpty, "a multi-line address is a value, not swallowed records")
        #expect(address.records.count == 1)
    }

    /// The flat sample with NAME1 of customer 100001 holding `lines` line breaks (CRLF) from a quote
    /// that closes after them, written in blocks.
    static func hugeExtract(lines: Int) throws -> String {
        let path = try Paths.scratch() + "/huge.csv"
        let sample = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        let rows = sample.components(separatedBy: "\r\n")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? file.close() }
        try file.write(contentsOf: Data((rows[0] + "\r\n" + rows[1] + "\r\n" + "100001;\"").utf8))
        let block = Data(String(repeating: "x\r\n", count: 1_000_000).utf8)
        for _ in 0..<(lines / 1_000_000) { try file.write(contentsOf: block) }
        try file.write(
            contentsOf: Data(
                ("\";"
                    + rows[2].split(separator: ";", omittingEmptySubsequences: false).dropFirst(2)
                    .joined(separator: ";") + "\r\n" + rows[3...].joined(separator: "\r\n")).utf8))
        return path
    }

    @Test("peek, profile and map stay under 500 MB on 80 MB of line breaks in one field")
    func underMemoryLimit() throws {
        let file = try Self.hugeExtract(lines: 27_000_000)
        let folder = try Paths.scratch()
        let peek = try CLI.run(["peek", "--count", file], memoryLimitKB: 500_000)
        #expect(peek.status == 0, "\(peek.stderr.suffix(300))")
        #expect(peek.stdout.contains("malformed: 5"), "the sample's 4 and the huge one: \(peek.stdout)")
        #expect(peek.stderr.contains("[CSV-TOO-LARGE] the record on lines 3-27000003"), "\(peek.stderr.prefix(600))")
        let profile = try CLI.run(["profile", file, "--out", folder + "/p"], memoryLimitKB: 500_000)
        #expect(profile.status == 0, "\(profile.stderr.suffix(300))")
        let map = try CLI.run(
            ["map", file, "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), "--workspace", folder + "/w"],
            memoryLimitKB: 500_000)
        #expect(map.status <= 3, "\(map.stderr.suffix(300))")
        #expect(map.stdout.contains("malformed   5"), "\(map.stdout.prefix(400))")
        let findings = try String(contentsOfFile: folder + "/w/reports/run-1/findings.csv", encoding: .utf8)
        #expect(findings.contains("CSV-TOO-LARGE"))
        let ledger = try FileManager.default.attributesOfItem(atPath: folder + "/w/ledger.sqlite")[.size] as? Int ?? 0
        #expect(ledger < 50 << 20, "ledger \(ledger) bytes")
    }
}
