import CustmigCore
import Foundation
import Testing

@Suite("CSV extracts")
struct CSVRecordReaderTests {
    @Test("RFC 4180: quoted delimiters, doubled quotes, CR/LF inside quotes, CRLF rows")
    func quotedFields() throws {
        let result = try ReadResult.read(Paths.fixture("csv/basic.csv"))
        #expect(result.description.dialect?.delimiter == UInt8(ascii: ","))
        #expect(result.description.dialect?.lineEnding == .crlf)
        #expect(result.records.count == 3)
        #expect(result.records[0].text("name") == "Acme, Inc.")
        #expect(result.records[1].text("name") == "Say \"hi\"")
        #expect(result.records[1].text("city") == "Köln")
        #expect(result.records[1].text("note") == "two\r\nlines")
        #expect(result.records[2].text("city") == "")
        // Record 3 starts on line 5: the quoted line break in record 2 moves it down one line.
        #expect(result.records.map(\.position.line) == [2, 3, 5])
        #expect(result.records.map(\.position.index) == [1, 2, 3])
        #expect(result.records[0].position.byteOffset == 19)
        #expect(result.errors.isEmpty)
    }

    struct MalformedCase: CustomTestStringConvertible, Sendable {
        let file: String
        let records: Int
        let malformedLines: [Int]
        let code: String
        var testDescription: String { file }
    }

    @Test(
        "malformed records are reported with their line and skipped; reading goes on",
        arguments: [
            MalformedCase(file: "csv/ragged.csv", records: 3, malformedLines: [3, 5], code: "CSV-RAGGED"),
            MalformedCase(file: "csv/unterminated.csv", records: 2, malformedLines: [3], code: "CSV-QUOTE"),
            MalformedCase(file: "csv/nul.csv", records: 2, malformedLines: [3], code: "CSV-NUL"),
            MalformedCase(file: "csv/invalid-utf8.csv", records: 3, malformedLines: [4], code: "CSV-UTF8"),
        ])
    func malformed(_ testCase: MalformedCase) throws {
        let result = try ReadResult.read(Paths.fixture(testCase.file))
        #expect(result.records.count == testCase.records)
        #expect(result.malformed == testCase.malformedLines.count)
        #expect(result.errors.map { $0.location.line ?? 0 } == testCase.malformedLines)
        #expect(result.errors.allSatisfy { $0.code == testCase.code && $0.fix != nil })
    }

    @Test("records of many empty fields (more fields than a read's bytes / 8) keep every field, in place")
    func manyEmptyFields() throws {
        let columns = (1...300).map { "c\($0)" }
        let empty = String(repeating: ";", count: 299)
        let filled = "a" + String(repeating: ";", count: 299) + "z"
        let ragged = String(repeating: ";", count: 300)
        let text = [columns.joined(separator: ";"), empty, filled, ragged, empty].joined(separator: "\n") + "\n"
        let path = try Paths.scratch() + "/wide.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try ReadResult.read(path)
        #expect(result.records.count == 3)
        #expect(result.records.allSatisfy { $0.fields.count == 300 })
        #expect(result.records[0].fields.allSatisfy { $0.value.text == "" })
        #expect(result.records[1].text("c1") == "a")
        #expect(result.records[1].text("c300") == "z")
        #expect(result.records[1].text("c150") == "")
        #expect(result.records.map(\.position.line) == [2, 3, 5])
        #expect(result.errors.map { $0.location.line ?? 0 } == [4])
        #expect(result.errors.first?.message.contains("found 301") == true)
    }

    @Test("a ragged row's message names the file, line, expected and found counts, and a fix")
    func raggedMessage() throws {
        let result = try ReadResult.read(Paths.fixture("csv/ragged.csv"))
        let first = try #require(result.errors.first)
        #expect(
            first.description
                == "\(Paths.fixture("csv/ragged.csv")):3: error: [CSV-RAGGED] expected 3 fields (as in the header), "
                + "found 2. Fix: quote values that contain \";\", or add the missing fields; if every row is affected, "
                + "check the delimiter (--delimiter) or whether lines before the header need --skip-lines.")
    }

    @Test(
        "a UTF-8 file given as windows-1252 is read as UTF-8 with a warning instead of turning ü into Ã¼; the reverse is named"
    )
    func encodingMismatch() throws {
        let folder = try Paths.scratch()
        let text = "KUNNR;NAME1;ORT01\r\n1;Müller GmbH;München\r\n2;Señor Pérez;Málaga\r\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/utf8.csv"))
        var options = ExtractOptions()
        options.encoding = .windows1252
        let utf8 = try ReadResult.read(folder + "/utf8.csv", options)
        #expect(utf8.records.map { $0.text("ORT01") } == ["München", "Málaga"])
        #expect(utf8.findings.contains { $0.code == "CSV-ENCODING" && $0.severity == .warning })

        try text.data(using: .windowsCP1252)!.write(to: URL(fileURLWithPath: folder + "/cp1252.csv"))
        options.encoding = .utf8
        let cp1252 = try ReadResult.read(folder + "/cp1252.csv", options)
        #expect(cp1252.findings.contains { $0.code == "CSV-ENCODING" && $0.message.contains("look like windows-1252") })
        #expect(cp1252.malformed == 2)
        options.encoding = .windows1252
        let right = try ReadResult.read(folder + "/cp1252.csv", options)
        #expect(right.findings.isEmpty)
        #expect(right.records.map { $0.text("NAME1") } == ["Müller GmbH", "Señor Pérez"])
    }

    @Test("skip_lines: a report title and export date before the header are skipped, line numbers stay the file's")
    func skipLines() throws {
        let folder = try Paths.scratch()
        let text = "Customer list\r\nExported 01.11.2026; by SAPUSER\r\n\r\nKUNNR;NAME1\r\n1;Alpha\r\n2;Müller\r\n"
        var options = ExtractOptions()
        options.skipLines = 3
        for (name, data) in [
            ("utf8.csv", Data(text.utf8)),
            ("utf16.csv", Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!),
            ("cr.csv", Data(text.replacingOccurrences(of: "\r\n", with: "\r").utf8)),
        ] {
            try data.write(to: URL(fileURLWithPath: folder + "/" + name))
            let result = try ReadResult.read(folder + "/" + name, options)
            #expect(result.errors.isEmpty, "\(name): \(result.errors)")
            #expect(result.description.columns == ["KUNNR", "NAME1"], "\(name)")
            #expect(result.records.map { $0.text("NAME1") } == ["Alpha", "Müller"], "\(name)")
            #expect(result.records.first?.position.line == 5, "\(name)")
        }
        // A resume at the second record's offset reads it again, after the skipped lines.
        let reader = try CSVRecordReader(path: folder + "/utf8.csv", options: options)
        let first = try #require(try reader.next())
        let second = try #require(try reader.next())
        let again = try CSVRecordReader(path: folder + "/utf8.csv", options: options)
        try again.resume(atOffset: second.position.byteOffset!, line: second.position.line, recordIndex: 2)
        #expect(try again.next()?.text("NAME1") == "Müller")
        #expect(
            first.position.byteOffset
                == Int64("Customer list\r\nExported 01.11.2026; by SAPUSER\r\n\r\nKUNNR;NAME1\r\n".utf8.count))
        options.skipLines = 50
        #expect(throws: CustmigError.self) { _ = try ReadResult.read(folder + "/utf8.csv", options) }
    }

    @Test("the record after an unterminated quote is read from the next line")
    func unterminatedRecovery() throws {
        let result = try ReadResult.read(Paths.fixture("csv/unterminated.csv"))
        #expect(result.records.map { $0.text("name") } == ["Alpha", "Gamma"])
        #expect(result.records.last?.position.line == 4)
    }

    struct EncodingCase: CustomTestStringConvertible, Sendable {
        let file: String
        let encoding: TextEncoding
        let column: String
        let values: [String]
        var testDescription: String { file }
    }

    @Test(
        "encodings are detected and decoded",
        arguments: [
            EncodingCase(file: "csv/bom.csv", encoding: .utf8, column: "name", values: ["Ångström"]),
            EncodingCase(file: "csv/utf16le.csv", encoding: .utf16LE, column: "name", values: ["Ærø", "日本"]),
            EncodingCase(file: "csv/utf16be.csv", encoding: .utf16BE, column: "name", values: ["Ærø"]),
            EncodingCase(
                file: "csv/cp1252.csv", encoding: .windows1252, column: "NAME1",
                values: ["Müller „Spezial“ GmbH", "Œuvre Straße"]),
            EncodingCase(file: "csv/latin9.csv", encoding: .iso8859_15, column: "price", values: ["10 €", "Señor"]),
        ])
    func encodings(_ testCase: EncodingCase) throws {
        let result = try ReadResult.read(Paths.fixture(testCase.file))
        #expect(result.description.encoding.encoding == testCase.encoding)
        #expect(result.records.map { $0.text(testCase.column) ?? "" } == testCase.values)
        #expect(result.errors.isEmpty)
        #expect(result.description.columns.first == (testCase.file.contains("cp1252") ? "KUNNR" : "id"))
    }

    @Test("--encoding overrides detection")
    func encodingOverride() throws {
        var options = ExtractOptions()
        options.encoding = .iso8859_1
        let result = try ReadResult.read(Paths.fixture("csv/latin9.csv"), options)
        #expect(result.records.first?.text("price") == "10 ¤")
    }

    @Test("a UTF-8 byte order mark wins over a given windows-1252, with a warning: no mojibake, no BOM in the header")
    func byteOrderMarkOverridesGivenEncoding() throws {
        let path = try Paths.scratch() + "/bom.csv"
        try Data([0xEF, 0xBB, 0xBF] + Array("KUNNR;NAME1\r\n1;Müller\r\n".utf8)).write(to: URL(fileURLWithPath: path))
        var options = ExtractOptions()
        options.encoding = .windows1252
        let result = try ReadResult.read(path, options)
        #expect(result.description.columns == ["KUNNR", "NAME1"])
        #expect(result.records.first?.text("NAME1") == "Müller")
        let warning = try #require(result.findings.first { $0.code == "CSV-BOM" })
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("read as UTF-8"))
    }

    @Test("Excel's sep= first line names the delimiter and is not read as the header", arguments: ["\r\n", "\n"])
    func excelSeparatorLine(ending: String) throws {
        let path = try Paths.scratch() + "/sep.csv"
        try Data("sep=|\(ending)id|name\(ending)1|Alpha, Inc.\(ending)".utf8).write(to: URL(fileURLWithPath: path))
        let result = try ReadResult.read(path)
        #expect(result.description.columns == ["id", "name"])
        #expect(result.records.map { $0.text("name") } == ["Alpha, Inc."])
        #expect(result.records.first?.position.line == 3)
        #expect(result.errors.isEmpty)
    }

    @Test("a DOS end-of-file mark (Ctrl-Z) on the last line is not a ragged record")
    func dosEndOfFile() throws {
        let path = try Paths.scratch() + "/dos.csv"
        try Data(Array("id;name\r\n1;Alpha\r\n2;Beta\r\n".utf8) + [0x1A]).write(to: URL(fileURLWithPath: path))
        let result = try ReadResult.read(path)
        #expect(result.records.map { $0.text("name") } == ["Alpha", "Beta"])
        #expect(result.errors.isEmpty)
    }

    @Test("an empty file and a header-only file give no records and no errors")
    func emptyFiles() throws {
        for file in ["csv/empty.csv", "csv/header-only.csv"] {
            let result = try ReadResult.read(Paths.fixture(file))
            #expect(result.records.isEmpty)
            #expect(result.errors.isEmpty)
        }
        #expect(
            try ReadResult.read(Paths.fixture("csv/header-only.csv")).description.columns == ["id", "name", "city"])
    }

    @Test("blank lines are skipped but still counted as lines")
    func blankLines() throws {
        let result = try ReadResult.read(Paths.fixture("csv/blank-lines.csv"))
        #expect(result.records.map(\.position.line) == [3, 6])
    }

    @Test("empty and repeated header names are renamed with a warning")
    func headerNames() throws {
        let result = try ReadResult.read(Paths.fixture("csv/duplicate-header.csv"))
        #expect(result.description.columns == ["id", "name", "column_3", "name_2"])
        #expect(result.findings.filter { $0.code == "CSV-HEADER" }.count == 2)
    }

    @Test("a 5 MB quoted field, larger than a read block, is read whole")
    func hugeField() throws {
        let folder = try Paths.scratch()
        let path = folder + "/huge.csv"
        let big = String(repeating: "abcdefghij", count: 500_000) + ",\"\"x\"\"\n" + String(repeating: "z", count: 10)
        try "id,blob,next\n1,\"\(big)\",after\n2,small,end\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try ReadResult.read(path)
        #expect(result.records.count == 2)
        #expect(result.records[0].text("blob")?.utf8.count == big.utf8.count - 2)
        #expect(result.records[0].text("next") == "after")
        #expect(result.records[1].position.line == 4)
    }

    @Test("the delimiter is sniffed among , ; | and tab")
    func delimiterSniffing() throws {
        #expect(try ReadResult.read(Paths.fixture("csv/ragged.csv")).description.dialect?.delimiterName == ";")
        #expect(try ReadResult.read(Paths.fixture("csv/unterminated.csv")).description.dialect?.delimiterName == "|")
        #expect(try ReadResult.read(Paths.fixture("csv/nul.csv")).description.dialect?.delimiterName == "tab")
    }

    @Test("a missing file is an error naming the path and the fix")
    func missingFile() {
        #expect {
            _ = try ExtractOpener.open(path: "/nonexistent/kna1.csv")
        } throws: { error in
            (error as? CustmigError)?.description
                == "error: [IO-MISSING] cannot open \"/nonexistent/kna1.csv\": no such file. "
                + "Fix: check the path (relative paths resolve against the current directory)."
        }
    }
}
