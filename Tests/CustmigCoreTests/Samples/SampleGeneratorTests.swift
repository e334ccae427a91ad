import CustmigCore
import Foundation
import Testing

@Suite("Sample generation")
struct SampleGeneratorTests {
    @Test("the same seed gives the same bytes; another seed other bytes")
    func deterministic() throws {
        let first = try Paths.scratch()
        let second = try Paths.scratch()
        let third = try Paths.scratch()
        _ = try SampleGenerator(options: SampleOptions(rows: 500, seed: 7)).write(to: first)
        _ = try SampleGenerator(options: SampleOptions(rows: 500, seed: 7)).write(to: second)
        _ = try SampleGenerator(options: SampleOptions(rows: 500, seed: 8)).write(to: third)
        for file in ["customers.csv", "debmas07.xml", "ground-truth.csv"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(first)/\(file)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(second)/\(file)"))
            let c = try Data(contentsOf: URL(fileURLWithPath: "\(third)/\(file)"))
            #expect(a == b, "\(file) differs for the same seed")
            #expect(a != c, "\(file) is the same for another seed")
        }
    }

    @Test("the CSV is a legacy export: windows-1252, semicolons, CRLF, decimal commas, German dates; XML reads back")
    func legacyShape() throws {
        let folder = try Paths.scratch()
        let output = try SampleGenerator(options: SampleOptions(rows: 2_000, seed: 3)).write(to: folder)
        let csv = try ReadResult.read(folder + "/customers.csv")
        #expect(csv.description.encoding.encoding == .windows1252)
        #expect(csv.description.dialect?.delimiterName == ";")
        #expect(csv.description.dialect?.lineEnding == .crlf)
        #expect(csv.records.count + csv.malformed == 2_000)
        #expect(csv.malformed > 0)
        #expect(csv.records.contains { ($0.text("CREDIT_LIMIT") ?? "").hasSuffix(",00") })
        #expect(csv.records.contains { ($0.text("COUNTRY") ?? "") == "Deutschland" })
        let xml = try ReadResult.read(folder + "/debmas07.xml")
        #expect(xml.records.count >= 2_000)
        #expect(xml.errors.isEmpty)
        #expect(output.duplicates > 20)
    }

    @Test("every ground-truth pair names two records of the extract with similar names")
    func groundTruth() throws {
        let folder = try Paths.scratch()
        _ = try SampleGenerator(
            options: SampleOptions(rows: 3_000, seed: 11, csvEncoding: .utf8, csvDelimiter: UInt8(ascii: ","))
        )
        .write(to: folder)
        let csv = try ReadResult.read(folder + "/customers.csv")
        #expect(csv.description.encoding.encoding == .utf8)
        var names: [String: String] = [:]
        for record in csv.records { names[record.text("CUSTNO") ?? ""] = record.text("NAME1") }
        let truth = try String(contentsOfFile: folder + "/ground-truth.csv", encoding: .utf8)
            .split(separator: "\n").dropFirst()
        #expect(truth.count > 30)
        var compared = 0
        for line in truth {
            let parts = line.split(separator: ",").map(String.init)
            guard let duplicate = names[parts[0]], let original = names[parts[1]], !duplicate.isEmpty, !original.isEmpty
            else { continue }
            compared += 1
            // A spelled-out legal form ("AG" → "Aktiengesellschaft") is the variation itself: compare the rest.
            let legalFormChanged = parts.count > 2 && parts[2].contains("legal-form")
            func named(_ name: String) -> String {
                legalFormChanged ? name.split(separator: " ").dropLast().joined(separator: " ") : name
            }
            // Similar: many shared trigrams, or a typo or two apart (short names share few trigrams).
            let (first, second) = (named(duplicate).lowercased(), named(original).lowercased())
            let similar = Self.trigramSimilarity(first, second) >= 0.4 || Self.editDistance(first, second) <= 2
            #expect(similar, "\(duplicate) vs \(original)")
        }
        #expect(compared > 20)
    }

    /// Levenshtein distance in characters.
    static func editDistance(_ first: String, _ second: String) -> Int {
        let a = Array(first), b = Array(second)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }

    /// Jaccard similarity of the lower-cased names' character trigrams.
    static func trigramSimilarity(_ first: String, _ second: String) -> Double {
        func trigrams(_ text: String) -> Set<String> {
            let characters = Array(text.lowercased().filter { $0.isLetter || $0.isNumber })
            guard characters.count >= 3 else { return [String(characters)] }
            return Set((0...(characters.count - 3)).map { String(characters[$0..<($0 + 3)]) })
        }
        let a = trigrams(first)
        let b = trigrams(second)
        return Double(a.intersection(b).count) / Double(max(a.union(b).count, 1))
    }
}
