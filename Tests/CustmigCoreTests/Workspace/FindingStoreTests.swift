import Foundation
import GRDB
import Testing

@testable import CustmigCore

/// Findings stored as a shared sentence plus the value it quotes read back exactly as they were made,
/// whatever the value and the message hold.
@Suite("finding store")
struct FindingStoreTests {
    static let cases: [(value: String?, message: String)] = [
        ("j@@x.de", "\"j@@x.de\" is not a valid email address"),
        ("a", "\"a\" is not a valid email address"),  // the value inside other words too
        ("Cafe\u{301}", "\"Cafe\u{301}\" is not Café (composed)"),  // canonically equal, other bytes
        ("Café", "\"Café\" is not Cafe\u{301} (decomposed)"),
        ("x", "x\u{1}x: a placeholder in the message itself"),
        ("", "an empty value"),
        (nil, "no value at all"),
        ("DE12", "DE12 twice: DE12"),
        (String(repeating: "y", count: 5_000), "a long value \(String(repeating: "y", count: 5_000))"),
    ]

    @Test("messages, fixes and values read back as they were made; repeated sentences are stored once")
    func roundTrip() throws {
        let sample = try MappedSample()
        let queue = try DatabaseQueue(path: sample.workspace + "/ledger.sqlite")
        let findings = (0..<3).flatMap { round in
            Self.cases.map {
                MappingFinding(.review, rule: "test", field: "f", value: $0.value, message: $0.message, fix: "fix it")
            }
        }
        let before = try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM finding_text") ?? 0 }
        try queue.write { db in
            var texts = try FindingStore.Texts(db: db)
            let prepared = try findings.map { try texts.prepare($0, db: db) }
            _ = try FindingStore.inserter(db: db).run(count: prepared.count) { index, bind in
                FindingStore.bind(
                    &bind, run: 1, legacyKey: "TEST-KEY", finding: prepared[index], input: 0, line: 1, index: index)
            }
        }
        let read = try queue.read { db in
            try FindingStore.findings(run: 1, legacyKey: "TEST-KEY", rules: ["test"], db: db)
        }
        #expect(read.count == findings.count)
        for (made, stored) in zip(findings, read) {
            #expect(stored.message.utf8.elementsEqual(made.message.utf8), "\(made.message.debugDescription)")
            #expect(stored.value == MappingFinding.stored(made.value))
            #expect(stored.fix == "fix it")
        }
        let added = try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM finding_text") ?? 0 } - before
        // One sentence per case that can share one (not the one holding a placeholder), plus the fix.
        #expect(added <= Self.cases.count, "\(added) sentences for \(findings.count) findings")
    }

    @Test("a sentence added in a write that rolled back is not referred to afterwards")
    func rollback() throws {
        let sample = try MappedSample()
        let queue = try DatabaseQueue(path: sample.workspace + "/ledger.sqlite")
        var texts = try queue.read { try FindingStore.Texts(db: $0) }
        let finding = MappingFinding(.review, rule: "test", field: nil, value: "QQ", message: "never seen before QQ")
        struct Abandoned: Error {}
        do {
            try queue.write { db in
                _ = try texts.prepare(finding, db: db)
                throw Abandoned()
            }
        } catch is Abandoned {}
        texts.settle(committed: false)
        let prepared = try queue.write { db in try texts.prepare(finding, db: db) }
        texts.settle(committed: true)
        let text = try queue.read { db in
            try String.fetchOne(db, sql: "SELECT text FROM finding_text WHERE id = ?", arguments: [prepared.messageId])
        }
        #expect(text == "never seen before \u{1}")
    }
}
