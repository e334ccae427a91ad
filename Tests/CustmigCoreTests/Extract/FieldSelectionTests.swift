import Foundation
import Testing

@testable import CustmigCore

/// Records made of the fields a mapping reads: fewer values, the same shape and the same outcomes.
@Suite("Field selection")
struct FieldSelectionTests {
    @Test("XML: unread leaves and attributes are left out; lists stay lists, the control record keeps its read fields")
    func xmlShape() throws {
        var options = ExtractOptions()
        options.fields = FieldSelection(record: ["NAME1", "E1KNVVM", "VKORG", "E1KNVPM"], control: ["DOCNUM"])
        let full = try ReadResult.read(Paths.fixture("xml/debmas-small.xml"))
        let kept = try ReadResult.read(Paths.fixture("xml/debmas-small.xml"), options)
        #expect(kept.records.map(\.position) == full.records.map(\.position))
        let first = kept.records[0]
        #expect(first.fields.map(\.name) == ["NAME1", "E1KNVVM", "E1KNB1M"])
        #expect(first.text("NAME1") == "Müller & Söhne GmbH")
        #expect(first["ORT01"] == nil && first["KUNNR"] == nil && first["@SEGMENT"] == nil)
        let areas = try #require(first["E1KNVVM"]?.records)
        #expect(areas.map { $0.text("VKORG") } == ["1000", "2000"])
        #expect(areas[0]["VTWEG"] == nil)
        // Segments none of whose fields are read are still there, as lists (their SEGMENT attribute).
        let partners = try #require(areas[0]["E1KNVPM"]?.records)
        #expect(partners.count == 2 && partners.allSatisfy { $0.fields.isEmpty })
        #expect(first["E1KNB1M"]?.records?.count == 1)
        #expect(first.control.map(\.name) == ["DOCNUM"])
        #expect(first.control.first?.value.text == "0000000000000101")
    }

    @Test("XML: an element with an unread attribute keeps its text under #text")
    func attributedText() throws {
        var options = ExtractOptions()
        options.fields = FieldSelection(record: ["Name"])
        let kept = try ReadResult.read(Paths.fixture("xml/customers.xml"), options)
        let name = try #require(kept.records[0]["Name"]?.records?.first)
        #expect(name.text("#text") == "Alpha")
        #expect(name["@lang"] == nil)
        #expect(kept.records[0]["@id"] == nil)
        #expect(kept.records[0]["Name"]?.elementText == "Alpha")
    }

    @Test("CSV: only the selected columns, in file order; names the file lacks are ignored")
    func csvColumns() throws {
        var options = ExtractOptions()
        options.fields = FieldSelection(record: ["NAME1", "CUSTNO", "NOT_A_COLUMN"])
        let full = try ReadResult.read(Paths.samples("customers.csv"))
        let kept = try ReadResult.read(Paths.samples("customers.csv"), options)
        #expect(kept.records.count == full.records.count)
        #expect(kept.malformed == full.malformed)
        for (record, whole) in zip(kept.records, full.records) {
            #expect(record.fields.map(\.name) == ["CUSTNO", "NAME1"])
            #expect(record.text("NAME1") == whole.text("NAME1"))
            #expect(record.position == whole.position)
        }
    }

    @Test("a mapping reads its sources, lists, key, same_key field, source. fields of rules and corrected fields")
    func readFields() throws {
        let flat = try MappingLoader.load(
            path: Paths.repository.appendingPathComponent("Mappings/legacy-flat-csv/mapping.yaml").path)
        let fields = flat.readFields
        #expect(fields.record.isSuperset(of: ["CUSTNO", "NAME1", "CONTACT_NAME", "IBAN", "PAY_TERMS"]))
        #expect(!fields.record.contains("FAX"))
        var changed = flat
        changed.source.sameKey = .highest("control.DOCNUM")
        changed.rules.append(
            MappingRule(
                id: "x", kind: .rejectWhen(.all([.equals("source.FAX", "0"), .isEmpty("name1")])), severity: .reject,
                message: "m", fix: nil, location: SourceLocation(file: "m")))
        changed.corrections["100000"] = [
            Correction(legacyKey: "100000", field: "INDUSTRY_OLD", value: "x", reason: "r", who: "w", line: 2)
        ]
        let more = changed.readFields
        #expect(more.record.isSuperset(of: ["FAX", "INDUSTRY_OLD"]))
        #expect(more.control == ["DOCNUM"])
        let idoc = try MappingLoader.load(
            path: Paths.repository.appendingPathComponent("Mappings/sap-debmas07/mapping.yaml").path)
        #expect(idoc.readFields.record.isSuperset(of: ["E1KNVVM", "E1KNVPM", "PARVW", "KUNN2", "IBAN"]))
        #expect(!idoc.readFields.record.contains("MSGFN") && !idoc.readFields.record.contains("@SEGMENT"))
    }

    @Test(
        "every sample record maps to the same customer and findings from its selected fields as from all of them",
        arguments: [
            ("legacy-flat-csv", "customers.csv", true), ("sap-debmas07", "debmas07.xml", true),
            ("person-csv", "persons.csv", false),
        ])
    func sameOutcomes(_ mappingName: String, _ sample: String, _ unread: Bool) throws {
        let mapping = try MappingLoader.load(
            path: Paths.repository.appendingPathComponent("Mappings/\(mappingName)/mapping.yaml").path)
        var options = mapping.source.extractOptions
        let full = try ReadResult.read(Paths.samples(sample), options)
        options.fields = mapping.readFields
        let kept = try ReadResult.read(Paths.samples(sample), options)
        #expect(kept.records.count == full.records.count && !full.records.isEmpty)
        let keptValues = kept.records.reduce(0) { $0 + $1.fields.count }
        let allValues = full.records.reduce(0) { $0 + $1.fields.count }
        // The flat export's FAX and the IDocs' MSGFN and SEGMENT are read by no mapping; persons' every column is.
        #expect(unread ? keptValues < allValues : keptValues == allValues)
        let engine = MappingEngine(mapping: mapping)
        for (record, whole) in zip(kept.records, full.records) {
            let (fromKept, fromAll) = (engine.map(record), engine.map(whole))
            #expect(fromKept.customer?.jsonText == fromAll.customer?.jsonText, "\(record.position)")
            #expect(fromKept.findings == fromAll.findings, "\(record.position)")
        }
    }
}
