import CustmigCore
import Foundation
import Testing

@Suite("XML extracts")
struct XMLRecordReaderTests {
    @Test("an IDoc: record path detected, nested segments are lists, control record attached, text decoded")
    func idoc() throws {
        let result = try ReadResult.read(Paths.fixture("xml/debmas-small.xml"))
        #expect(result.description.recordPath == "/DEBMAS07/IDOC/E1KNA1M")
        #expect(result.description.declaredEncoding == "ISO-8859-1")
        #expect(result.records.count == 2)
        let first = result.records[0]
        #expect(first.text("NAME1") == "Müller & Söhne GmbH")
        #expect(first.text("NAME2") == "")
        #expect(first.text("ORT01") == "Köln <Innenstadt>")
        #expect(first.text("TELF1") == "+49 221 123456")
        #expect(first.text("@SEGMENT") == "1")
        let salesAreas = try #require(first["E1KNVVM"]?.records)
        #expect(salesAreas.count == 2)
        #expect(salesAreas[0]["E1KNVPM"]?.records?.count == 2)
        #expect(salesAreas[1]["E1KNVPM"] == nil)
        #expect(first["E1KNB1M"]?.records?.count == 1)
        #expect(first.control.first { $0.name == "DOCNUM" }?.value.text == "0000000000000101")
        #expect(result.records[1].control.first { $0.name == "DOCNUM" }?.value.text == "0000000000000102")
        #expect(result.records[1].text("NAME1") == "Ørsted A/S")
        #expect(result.records[1]["E1KNVVM"]?.records?.count == 1)
        #expect(result.records.map(\.position.line) == [6, 22])
        #expect(result.errors.isEmpty)
    }

    @Test("generic XML: attributes are @keys, an element with attributes is a list, an empty element is \"\"")
    func recordShape() throws {
        let result = try ReadResult.read(Paths.fixture("xml/customers.xml"))
        #expect(result.description.recordPath == "/Customers/Customer")
        #expect(result.records.count == 3)
        #expect(result.records[0].text("@id") == "C1")
        let name = try #require(result.records[0]["Name"]?.records?.first)
        #expect(name.text("@lang") == "de")
        #expect(name.text("#text") == "Alpha")
        #expect(result.records[1].text("City") == "")
        #expect(result.records[2]["City"] == nil)
    }

    @Test("UTF-16 XML is decoded")
    func utf16() throws {
        let result = try ReadResult.read(Paths.fixture("xml/utf16.xml"))
        #expect(result.records.map { $0.text("Name") } == ["Ærø", "日本"])
    }

    @Test("billion laughs: no expansion, a clear error, the records before it kept")
    func billionLaughs() throws {
        let result = try ReadResult.read(Paths.fixture("xml/billion-laughs.xml"))
        #expect(result.records.map { $0.text("Name") } == ["Safe"])
        let error = try #require(result.errors.first)
        #expect(error.code == "XML-ENTITY")
        #expect(error.location.line == 16)
        #expect(error.message.contains("lol9"))
        #expect(result.records.allSatisfy { !($0.text("Name") ?? "").contains("lol") })
    }

    @Test("an external entity pointing at /etc/passwd is never read")
    func externalEntity() throws {
        let passwd = (try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? "root:x:0:0"
        let marker = String(passwd.prefix(8))
        let result = try ReadResult.read(Paths.fixture("xml/xxe.xml"))
        #expect(result.records.map { $0.text("Name") } == ["First"])
        #expect(result.errors.first?.code == "XML-ENTITY")
        let everything = result.records.map { RecordJSON.render($0, withPosition: true) }.joined()
            + result.findings.map(\.description).joined()
        #expect(!everything.contains(marker))
    }

    @Test("an external parameter entity is refused with a clear error")
    func externalParameterEntity() throws {
        #expect {
            _ = try ReadResult.read(Paths.fixture("xml/xxe-parameter.xml"))
        } throws: { error in
            guard let error = error as? CustmigError else { return false }
            return error.code == "XML-ENTITY" && error.location?.line == 2 && !error.description.contains("root:")
        }
    }

    @Test("truncated XML: the records before the cut are kept, the cut record counted malformed")
    func truncated() throws {
        let result = try ReadResult.read(Paths.fixture("xml/truncated.xml"))
        #expect(result.records.map { $0.text("Name") } == ["One", "Two"])
        #expect(result.malformed == 1)
        #expect(result.errors.map(\.code) == ["XML-TRUNCATED", "XML-RECORD-LOST"])
        #expect(result.errors.first?.location.line == 5)
    }

    @Test("a tag mismatch gives line and column")
    func mismatch() throws {
        let result = try ReadResult.read(Paths.fixture("xml/malformed.xml"))
        #expect(result.records.count == 1)
        let error = try #require(result.errors.first)
        #expect(error.code == "XML-SYNTAX")
        #expect(error.location.line == 4)
        #expect(error.location.column == 29)
        #expect(error.message.contains("Nmae"))
    }

    @Test("a record path that matches nothing gives a warning, not a crash")
    func wrongRecordPath() throws {
        var options = ExtractOptions()
        options.recordPath = "/Customers/Client"
        let result = try ReadResult.read(Paths.fixture("xml/customers.xml"), options)
        #expect(result.records.isEmpty)
        #expect(result.findings.map(\.code) == ["XML-NO-RECORDS"])
        #expect(result.findings.first?.message.contains("the document's root element is <Customers>") == true)
    }

    @Test("encodings: UTF-8 bytes under an ISO-8859-1 declaration are read as UTF-8 with a warning; a given encoding beats the declaration")
    func declaredEncodingMismatch() throws {
        let folder = try Paths.scratch()
        var options = ExtractOptions()
        options.recordPath = "/Customers/Customer"
        func document(_ declared: String) -> String {
            "<?xml version=\"1.0\" encoding=\"\(declared)\"?><Customers><Customer><City>München</City></Customer>"
                + "<Customer><City>Málaga</City></Customer></Customers>"
        }
        // Converted to UTF-8 on its way, the declaration left as it was.
        try Data(document("ISO-8859-1").utf8).write(to: URL(fileURLWithPath: folder + "/converted.xml"))
        let converted = try ReadResult.read(folder + "/converted.xml", options)
        #expect(converted.records.map { $0.text("City") } == ["München", "Málaga"])
        #expect(converted.findings.contains { $0.code == "XML-ENCODING" && $0.severity == .warning })
        // Really ISO-8859-1: read as declared, nothing to say.
        try document("ISO-8859-1").data(using: .isoLatin1)!.write(to: URL(fileURLWithPath: folder + "/latin1.xml"))
        let latin1 = try ReadResult.read(folder + "/latin1.xml", options)
        #expect(latin1.records.map { $0.text("City") } == ["München", "Málaga"])
        #expect(latin1.findings.isEmpty)
        // Declared UTF-8 but written in windows-1252: --encoding (or the mapping's) decides.
        try document("UTF-8").data(using: .windowsCP1252)!.write(to: URL(fileURLWithPath: folder + "/mislabelled.xml"))
        options.encoding = .windows1252
        let given = try ReadResult.read(folder + "/mislabelled.xml", options)
        #expect(given.records.map { $0.text("City") } == ["München", "Málaga"])
    }

    @Test("character references in attribute values are decoded: &amp; and &#38; are '&'")
    func attributeReferences() throws {
        let path = try Paths.scratch() + "/amp.xml"
        try Data(#"<Customers><Customer id="A&amp;B" name="C&#38;D" plain="E">x</Customer></Customers>"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        var options = ExtractOptions()
        options.recordPath = "/Customers/Customer"
        let result = try ReadResult.read(path, options)
        let record = try #require(result.records.first)
        #expect(record.text("@id") == "A&B")
        #expect(record.text("@name") == "C&D")
        #expect(record.text("@plain") == "E")
    }

    @Test("elements nested 100,000 deep stop reading with XML-DEPTH instead of exhausting the stack")
    func deepNesting() throws {
        let path = try Paths.scratch() + "/deep.xml"
        let depth = 100_000
        try Data(
            ("<Customers><Customer>" + String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
                + "</Customer></Customers>").utf8
        ).write(to: URL(fileURLWithPath: path))
        var options = ExtractOptions()
        options.recordPath = "/Customers/Customer"
        let result = try ReadResult.read(path, options)
        #expect(result.records.isEmpty)
        #expect(result.malformed == 1)
        #expect(result.errors.map(\.code) == ["XML-DEPTH", "XML-RECORD-LOST"])
        #expect(result.errors.first?.message.contains("256 levels") == true)
    }

    @Test("a relative record path is refused with the fix")
    func relativeRecordPath() {
        var options = ExtractOptions()
        options.recordPath = "Customer"
        #expect(throws: CustmigError.self) { _ = try ReadResult.read(Paths.fixture("xml/customers.xml"), options) }
    }

    @Test("the format is detected from content")
    func formatDetection() throws {
        #expect(try ExtractOpener.detectFormat(path: Paths.fixture("xml/utf16.xml")) == .xml)
        #expect(try ExtractOpener.detectFormat(path: Paths.fixture("xml/customers.xml")) == .xml)
        #expect(try ExtractOpener.detectFormat(path: Paths.fixture("csv/utf16le.csv")) == .csv)
    }
}
