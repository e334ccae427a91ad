import Foundation
import GRDB
import Testing

@testable import CustmigCore

/// Person customers end to end on `Samples/persons.csv` with the shipped person mapping: matched by their
/// name parts, birth date and identifiers, then loaded with their person columns and identifier rows.
@Suite("Person customers", .serialized)
struct PersonCustomersTests {
    @Test("duplicates: nicknames, swapped names, typos and day/month mix-ups merge; spouses and relatives do not")
    func matchedAndLoaded() throws {
        let folder = try Paths.scratch()
        let workspace = folder + "/w"
        let target = "sqlite:\(folder)/t.db"
        for step in [
            [
                "map", "--mapping", MappingLoaderTests.shipped("person-csv"), Paths.samples("persons.csv"),
                "--workspace", workspace,
            ],
            ["duplicates", "--workspace", workspace],
        ] {
            let result = try CLI.run(step)
            #expect(result.status == 0 || result.status == 3, "\(step): \(result.stderr)")
        }
        let ledger = try DatabaseQueue(path: workspace + "/ledger.sqlite")
        let (merged, review) = try ledger.read { db -> (Set<String>, Set<String>) in
            let run = try Int64.fetchOne(
                db, sql: "SELECT MAX(id) FROM run WHERE stage = 'duplicates' AND status = 'done'")
            var merged = Set<String>()
            for members in try String.fetchAll(
                db, sql: "SELECT members FROM survivor WHERE run_id = ?", arguments: [run])
            {
                let keys = members.split(separator: " ").sorted()
                for (index, a) in keys.enumerated() { for b in keys[(index + 1)...] { merged.insert("\(a)|\(b)") } }
            }
            let review = Set(
                try Row.fetchAll(
                    db, sql: "SELECT first, second FROM duplicate_pair WHERE run_id = ? AND outcome = 'review'",
                    arguments: [run]
                ).map { [$0["first"] as String, $0["second"] as String].sorted().joined(separator: "|") })
            return (merged, review)
        }
        // Bill/William; swapped first and last name with a day/month swap and a transposed id; a missing
        // house number and a typo in the city; Schulz/Schultz; Müller/Mueller with another date format;
        // an initial; Bob/Robert O'Neil; an impossible date (left out) with the same id.
        let twins = [
            "P-10001|P-10002", "P-10003|P-10004", "P-10005|P-10006", "P-10009|P-10010", "P-10011|P-10012",
            "P-10014|P-10015", "P-10017|P-10018", "P-10019|P-10020",
        ]
        #expect(merged == Set(twins), "\(merged.sorted())")
        // Spouses at one address (other first name, birth date and national id) are not even for review;
        // a relative with the same surname and address but another first name and birth date is at most.
        #expect(!review.contains("P-10007|P-10008") && !merged.contains("P-10007|P-10008"))
        #expect(!merged.contains("P-10014|P-10016") && !merged.contains("P-10011|P-10013"))
        let report = try String(contentsOfFile: workspace + "/reports/run-2/duplicates.html", encoding: .utf8)
        for text in [
            "How pairs were scored", "birth_date", "Compared pairs by score", "date of birth", "phonetic name",
        ] {
            #expect(report.contains(text), "\(text) in the report")
        }

        for step in [
            ["target", "init", target, "--codes", Paths.samples("target-codes.csv")],
            ["dry-run", "--target", target, "--workspace", workspace],
            ["cutover", "latest", "--allow-unapproved", "--workspace", workspace],
        ] {
            let result = try CLI.run(step)
            #expect(result.status == 0 || result.status == 3, "\(step): \(result.stderr)")
        }
        let loaded = try DatabaseQueue(path: folder + "/t.db")
        try loaded.read { db in
            let row = try #require(
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT c.category, c.first_name, c.last_name, c.birth_date, c.name1, i.type, i.country, i.value
                        FROM customer c JOIN identifier i ON i.customer_id = c.customer_id
                        WHERE c.external_id IN ('P-10009', 'P-10010') OR c.last_name = 'Schulz'
                        """))
            #expect(row["category"] as String? == "person")
            #expect(row["first_name"] as String? == "Sophie")
            #expect(row["birth_date"] as String? == "1988-07-03")
            #expect((row["name1"] as String?)?.contains("Schul") == true)
            #expect(row["type"] as String? == "tax_number" && row["country"] as String? == "DE")
            #expect(row["value"] as String? == "48116552901")
            let identifiers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM identifier") ?? 0
            #expect(identifiers >= 6)
        }
    }
}
