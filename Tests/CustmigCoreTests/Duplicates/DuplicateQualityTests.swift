import CustmigCore
import Foundation
import Testing

/// Pair precision, recall and F1 of the duplicate finder against the ground truth `custmig samples` writes.
@Suite("Duplicate finding quality")
struct DuplicateQualityTests {
    static func pairs(_ clusters: [[String]]) -> Set<String> {
        var result = Set<String>()
        for cluster in clusters {
            for (index, a) in cluster.enumerated() {
                for b in cluster[(index + 1)...] { result.insert(a < b ? "\(a)|\(b)" : "\(b)|\(a)") }
            }
        }
        return result
    }

    @Test("F1 on a generated sample stays well above the floor; auto-merge precision is high")
    func f1() async throws {
        let folder = try Paths.scratch()
        _ = try SampleGenerator(options: SampleOptions(rows: 4_000, seed: 2024, formats: [.csv])).write(to: folder)
        let engine = MappingEngine(mapping: try MappingLoader.load(path: MappingLoaderTests.shipped("legacy-flat-csv")))
        let reader = try ExtractOpener.open(
            path: folder + "/customers.csv", options: engine.mapping.source.extractOptions)
        var customers: [CanonicalCustomer] = []
        while let record = try reader.next() {
            if let customer = engine.map(record).customer { customers.append(customer) }
        }
        let result = await DuplicateFinder().find(customers)
        func alpha(_ key: Substring) -> String { String(repeating: "0", count: 10 - key.count) + key }
        var truthClusters: [String: Set<String>] = [:]
        for line in try String(contentsOfFile: folder + "/ground-truth.csv", encoding: .utf8).split(separator: "\n")
            .dropFirst()
        {
            let parts = line.split(separator: ",")
            truthClusters[alpha(parts[1]), default: [alpha(parts[1])]].insert(alpha(parts[0]))
        }
        let known = Set(customers.map(\.key))
        let truth = Self.pairs(truthClusters.values.map { Array($0.filter(known.contains)).sorted() })
        let predicted = Self.pairs(result.clusters)
        let truePositives = Double(predicted.intersection(truth).count)
        let precision = predicted.isEmpty ? 0 : truePositives / Double(predicted.count)
        let recall = truth.isEmpty ? 0 : truePositives / Double(truth.count)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        print(
            "duplicates: \(customers.count) customers, \(result.compared) pairs compared, truth \(truth.count), "
                + "predicted \(predicted.count), precision \(precision), recall \(recall), F1 \(f1), review \(result.review.count)"
        )
        #expect(truth.count > 50)
        #expect(result.compared < customers.count * 20)
        #expect(precision >= 0.9)
        #expect(f1 >= 0.75)
    }

    @Test("generated persons: typos, nicknames, swaps and moves merge; households and twins at one address do not")
    func persons() async throws {
        let folder = try Paths.scratch()
        var options = SampleOptions(rows: 4_000, seed: 7, formats: [])
        options.persons = true
        _ = try SampleGenerator(options: options).write(to: folder)
        let engine = MappingEngine(mapping: try MappingLoader.load(path: MappingLoaderTests.shipped("person-csv")))
        let reader = try ExtractOpener.open(
            path: folder + "/persons.csv", options: engine.mapping.source.extractOptions)
        var customers: [CanonicalCustomer] = []
        while let record = try reader.next() {
            if let customer = engine.map(record).customer { customers.append(customer) }
        }
        let result = await DuplicateFinder().find(customers)
        var truthClusters: [String: Set<String>] = [:]
        let truthText = try String(contentsOfFile: folder + "/persons-ground-truth.csv", encoding: .utf8)
        for line in truthText.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            truthClusters[parts[1], default: [parts[1]]].insert(parts[0])
        }
        let known = Set(customers.map(\.key))
        let truth = Self.pairs(truthClusters.values.map { Array($0.filter(known.contains)).sorted() })
        let predicted = Self.pairs(result.clusters)
        let truePositives = Double(predicted.intersection(truth).count)
        let precision = predicted.isEmpty ? 0 : truePositives / Double(predicted.count)
        let recall = truth.isEmpty ? 0 : truePositives / Double(truth.count)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        // Wrongly merged pairs at one address with different first names: household members.
        let byKey = Dictionary(customers.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let households = predicted.subtracting(truth).filter { pair in
            let keys = pair.split(separator: "|").map(String.init)
            guard let a = byKey[keys[0]], let b = byKey[keys[1]] else { return false }
            // Twins (the same birth date too) are told apart by their first names alone: not counted.
            return a.addresses.first?.street == b.addresses.first?.street && a.firstName != b.firstName
                && (a.birthDate == nil || a.birthDate != b.birthDate)
        }
        print(
            "persons: \(customers.count) customers, truth \(truth.count), predicted \(predicted.count), "
                + "precision \(precision), recall \(recall), F1 \(f1), households merged \(households.count)")
        #expect(truth.count > 300)
        #expect(precision >= 0.97)
        #expect(recall >= 0.93)
        #expect(
            households.count <= 1,
            "household members merged: \(households.sorted().prefix(5).map { $0.split(separator: "|").compactMap { byKey[String($0)].map { "\($0.firstName ?? "") \($0.lastName ?? "") \($0.birthDate ?? "") \($0.addresses.first?.street ?? "") \($0.addresses.first?.houseNumber ?? "")" } } })"
        )
    }
}
