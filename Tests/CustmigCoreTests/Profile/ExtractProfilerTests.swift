import Foundation
import Testing

@testable import CustmigCore

@Suite("Profiling extracts")
struct ExtractProfilerTests {
    static func field(_ profile: ExtractProfile, _ name: String) throws -> FieldProfile {
        try #require(profile.fields.first { $0.name == name })
    }

    @Test("the shipped CSV sample: counts, malformed lines, types and keys")
    func sampleCSV() async throws {
        let profile = try await ExtractProfiler.profile(path: Paths.samples("customers.csv"), options: ProfileOptions())
        #expect(profile.file.encoding == "windows-1252")
        #expect(profile.file.delimiter == ";")
        #expect(profile.file.lineEndings == "CRLF")
        #expect(profile.file.records == 396)
        #expect(profile.file.malformedRecords == 4)
        #expect(profile.file.malformedSamples.map(\.line) == [30, 176, 188, 253])
        #expect(profile.file.malformedByCode == ["CSV-RAGGED": 3, "CSV-NUL": 1])
        #expect(profile.fields.count == 29)
        let key = try Self.field(profile, "CUSTNO")
        #expect(key.inferredType == .integer)
        #expect(key.empty == 1)
        #expect(!key.isCandidateKey)
        #expect(try Self.field(profile, "CREATED").inferredType == .date)
        #expect(try Self.field(profile, "CREATED").dateLayouts["dd.MM.yyyy"] ?? 0 > 300)
        #expect(try Self.field(profile, "CREDIT_LIMIT").inferredType == .decimal)
        #expect(try Self.field(profile, "EMAIL").inferredType == .email)
        #expect(try Self.field(profile, "IBAN").inferredType == .iban)
        #expect(try Self.field(profile, "CURRENCY").topValues.first?.value == "EUR")
        #expect(try Self.field(profile, "CITY").nonASCII > 0)
        #expect(try Self.field(profile, "NAME1").trailingWhitespace > 0)
    }

    @Test("a Windows-1252 extract: plain ASCII values read as they are, any other byte transcoded, same statistics")
    func singleByteValues() async throws {
        // Long and short values with the one non-ASCII byte at every position of an 8-byte word and after it.
        var rows: [String] = []
        for length in 1...19 {
            for position in 0..<length {
                let name =
                    String(repeating: "a", count: position) + "é" + String(repeating: "a", count: length - position - 1)
                rows.append("\(length)-\(position);\(name);plain")
            }
        }
        let text = "KEY;NAME;NOTE\n" + rows.joined(separator: "\n") + "\n"
        // The same rows twice: once written in Windows-1252 (é as the byte E9), once in UTF-8.
        let folder = try Paths.scratch()
        try #require(text.data(using: .windowsCP1252)).write(to: URL(fileURLWithPath: folder + "/cp1252.csv"))
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/utf8.csv"))
        var options = ProfileOptions()
        options.extract.encoding = .windows1252
        let single = try await ExtractProfiler.profile(path: folder + "/cp1252.csv", options: options)
        options.extract.encoding = .utf8
        let unicode = try await ExtractProfiler.profile(path: folder + "/utf8.csv", options: options)
        let name = (try Self.field(single, "NAME"), try Self.field(unicode, "NAME"))
        #expect(name.0.nonASCII == rows.count, "every name has its é: \(name.0.nonASCII)")
        #expect(name.0.nonASCII == name.1.nonASCII)
        #expect(name.0.maxLength == 19 && name.0.minLength == 1)
        #expect(name.0.topValues.map(\.value) == name.1.topValues.map(\.value))
        #expect(name.0.topValues.allSatisfy { $0.value.contains("é") }, "\(name.0.topValues.prefix(3))")
        #expect(try Self.field(single, "NOTE").nonASCII == 0)
    }

    @Test("the shipped XML sample: nested paths, segment counts, control record and a candidate key")
    func sampleXML() async throws {
        let profile = try await ExtractProfiler.profile(path: Paths.samples("debmas07.xml"), options: ProfileOptions())
        #expect(profile.file.recordPath == "/DEBMAS07/IDOC/E1KNA1M")
        #expect(profile.file.records == 403)
        #expect(profile.file.malformedRecords == 0)
        let salesAreas = try Self.field(profile, "E1KNVVM/VKORG")
        #expect(salesAreas.present > 403)
        let segment = try Self.field(profile, "E1KNVVM")
        #expect(segment.inferredType == .integer)
        #expect(segment.typeLabel == "segments")
        #expect(segment.segmentsPerParent == "1–3 per parent")
        #expect(try Self.field(profile, "KUNNR").isSegmentCount == nil)
        #expect(try Self.field(profile, "control/DOCNUM").isCandidateKey == false)
        #expect(try Self.field(profile, "control/DOCNUM").distinct == 403)
        #expect(try Self.field(profile, "LAND1").inferredType == .country)
        #expect(try Self.field(profile, "ERDAT").inferredType == .date)
    }

    @Test(
        "values with control characters are counted per field (tabs and line breaks are not) and named in the summary")
    func controlCharacters() async throws {
        let path = try Paths.scratch() + "/control.csv"
        try Data(
            "KEY;NAME;CITY\n1;Alpha\u{1F}Beta;Köln\n2;Gamma\u{7F};Tab\there\n3;\"Line\nbreak\";Bonn\n4;Delta;Ulm\n".utf8
        )
        .write(to: URL(fileURLWithPath: path))
        let profile = try await ExtractProfiler.profile(path: path, options: ProfileOptions())
        #expect(try Self.field(profile, "NAME").controlCharacters == 2)
        #expect(try Self.field(profile, "CITY").controlCharacters == 0)
        #expect(try Self.field(profile, "KEY").controlCharacters == 0)
        #expect(
            ProfileText.summary(profile).contains("control characters (map replaces them with spaces, noted): NAME 2"))
    }

    @Test("a unique, never-empty column is a candidate key; a repeated one reports its repeats")
    func keys() async throws {
        let profile = try await ExtractProfiler.profile(
            path: Paths.fixture("csv/ragged.csv"), options: ProfileOptions())
        #expect(try Self.field(profile, "KUNNR").isCandidateKey)
        #expect(try Self.field(profile, "KUNNR").duplicateValues == 0)
    }

    @Test("the same file gives the same profile with one worker or two")
    func deterministic() async throws {
        var one = try await ExtractProfiler.profile(
            path: Paths.samples("customers.csv"), options: ProfileOptions(workers: 1))
        var two = try await ExtractProfiler.profile(
            path: Paths.samples("customers.csv"), options: ProfileOptions(workers: 2))
        one.file.elapsedSeconds = 0
        two.file.elapsedSeconds = 0
        #expect(try ProfileReportWriter.json(one) == ProfileReportWriter.json(two))
    }

    @Test("--mask-pii hides emails, phones, IBANs and contact names in every report")
    func masking() async throws {
        let plain = try await ExtractProfiler.profile(path: Paths.samples("customers.csv"), options: ProfileOptions())
        let masked = try await ExtractProfiler.profile(
            path: Paths.samples("customers.csv"), options: ProfileOptions(maskPII: true, piiFields: ["STREET"]))
        let secrets = ["EMAIL", "PHONE", "IBAN", "CONTACT_NAME", "CONTACT_EMAIL", "STREET", "VAT_ID"].flatMap { name in
            plain.fields.first { $0.name == name }!.topValues.prefix(3).map(\.value).filter { $0.count > 3 }
        }
        #expect(!secrets.isEmpty)
        let outputs = [
            ProfileHTMLReport.render(masked), try ProfileReportWriter.json(masked), ProfileText.markdown(masked),
            ProfileText.summary(masked),
        ]
        for secret in secrets {
            for output in outputs { #expect(!output.contains(secret), "\(secret) leaked") }
        }
        #expect(try Self.field(masked, "EMAIL").masked)
        #expect(try !Self.field(masked, "CITY").masked)
    }

    @Test("the HTML report is self-contained: inline SVG charts, no external scripts, styles or images")
    func htmlSelfContained() async throws {
        let profile = try await ExtractProfiler.profile(path: Paths.samples("debmas07.xml"), options: ProfileOptions())
        let html = ProfileHTMLReport.render(profile)
        #expect(html.contains("<svg"))
        #expect(!html.contains("<script src"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("src=\"http"))
        #expect(!html.contains("url(http"))
    }

    @Test("several extracts give one report per file and an index")
    func reportFiles() async throws {
        let folder = try Paths.scratch()
        var profiles: [ExtractProfile] = []
        for path in [Paths.samples("customers.csv"), Paths.fixture("xml/customers.xml")] {
            profiles.append(try await ExtractProfiler.profile(path: path, options: ProfileOptions()))
        }
        let written = try ProfileReportWriter.write(profiles, to: folder, formats: Set(ProfileReportFormat.allCases))
        #expect(written.count == 7)
        let index = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
        #expect(index.contains("customers.csv.profile.html"))
        #expect(index.contains("customers.xml.profile.html"))
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: folder + "/customers.csv.profile.json")))
        #expect((json as? [String: Any])?["schema"] as? String == "custmig.profile/1")
    }

    @Test("an empty file profiles to zero records with a warning")
    func emptyFile() async throws {
        let profile = try await ExtractProfiler.profile(path: Paths.fixture("csv/empty.csv"), options: ProfileOptions())
        #expect(profile.file.records == 0)
        #expect(profile.fields.isEmpty)
        #expect(profile.file.warnings.contains { $0.contains("empty") })
    }
}

@Suite("The profiler's byte paths agree with its record path")
struct ProfilePathEquivalenceTests {
    @Test(
        "same statistics per field, whichever way the extract is read",
        arguments: [
            "Samples/debmas07.xml", "Fixtures/xml/customers.xml", "Fixtures/xml/debmas-small.xml",
            "Samples/customers.csv",
        ])
    func equivalent(_ file: String) async throws {
        let path =
            file.hasPrefix("Samples")
            ? Paths.samples(String(file.dropFirst(8))) : Paths.fixture(String(file.dropFirst(9)))
        let fast = try await ExtractProfiler.profile(path: path, options: ProfileOptions()).fields
        let reference = try ExtractProfiler.profileRecords(path: path, options: ProfileOptions())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func render(_ fields: [FieldProfile]) throws -> [String: String] {
            var result: [String: String] = [:]
            for field in fields { result[field.name] = String(decoding: try encoder.encode(field), as: UTF8.self) }
            return result
        }
        let fastFields = try render(fast)
        let referenceFields = try render(reference)
        #expect(Set(fastFields.keys) == Set(referenceFields.keys))
        for (name, json) in referenceFields { #expect(fastFields[name] == json, "\(name)") }
    }
}
