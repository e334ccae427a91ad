import Foundation
import GRDB
import Testing

@testable import CustmigCore

/// Issue 21, item 1: a planned insert refers to its canonical record instead of copying its image, and
/// the approval still binds what the cutover writes: a record changed or gone after planning makes the
/// cutover refuse the plan as stale, before anything of it reaches the target.
@Suite("Plans by reference")
struct PlanByReferenceTests {
    struct Planned {
        let sample: MappedSample
        var ledger: String { sample.workspace + "/ledger.sqlite" }

        init() throws {
            sample = try MappedSample()
            let dry = try CLI.run(["dry-run", "--target", sample.target, "--workspace", sample.workspace])
            #expect(dry.status == 0, "\(dry.stderr)")
        }

        func cutover() throws -> CLI.Output {
            try CLI.run(["cutover", "latest", "--allow-unapproved", "--workspace", sample.workspace])
        }

        func targetCustomers() throws -> Int {
            let path = String(sample.target.dropFirst("sqlite:".count))
            return try DatabaseQueue(path: path).read {
                try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM customer") ?? 0
            }
        }

        /// The legacy key of the plan's first insert in load order.
        func firstInsert() throws -> String {
            try DatabaseQueue(path: ledger).read { db in
                try String.fetchOne(
                    db, sql: "SELECT legacy_key FROM plan_action WHERE action = 'insert' ORDER BY seq LIMIT 1")!
            }
        }
    }

    @Test("an insert's plan row names its record and the image's fingerprint, not the image; the cutover loads it")
    func insertsByReference() throws {
        let planned = try Planned()
        let rows = try DatabaseQueue(path: planned.ledger).read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT image, record_ref, image_fingerprint, field_count,
                    length(CAST(plan_action.canonical_key AS BLOB)) + IFNULL(length(CAST(legacy_key AS BLOB)), 0)
                    + IFNULL(length(CAST(customer_id AS BLOB)), 0) + IFNULL(length(CAST(image AS BLOB)), 0)
                    + IFNULL(length(CAST(before_image AS BLOB)), 0) + IFNULL(length(CAST(changes AS BLOB)), 0)
                    + IFNULL(length(CAST(record_refs AS BLOB)), 0) + IFNULL(length(CAST(name AS BLOB)), 0) + 200 AS bytes
                    FROM plan_action WHERE action = 'insert'
                    """)
        }
        #expect(rows.count > 20)
        for row in rows {
            #expect(row["image"] as String? == nil)
            #expect((row["record_ref"] as String?)?.hasPrefix("map:") == true)
            #expect((row["image_fingerprint"] as String?)?.count == 32)
            #expect((row["field_count"] as Int? ?? 0) > 3)
            #expect((row["bytes"] as Int) <= 400)
        }
        let cutover = try planned.cutover()
        #expect(cutover.status == 0, "\(cutover.stderr)")
        #expect(try planned.targetCustomers() == rows.count)
        let reconcile = try CLI.run(["reconcile", "--workspace", planned.sample.workspace])
        #expect(reconcile.status == 0, "\(reconcile.stdout)\(reconcile.stderr)")
        // The field-level export rebuilds each insert: its name is there.
        let export = planned.sample.folder + "/fields.csv"
        let exported = try CLI.run([
            "plan", "export", "latest", "--fields", "--out", export, "--workspace", planned.sample.workspace,
        ])
        #expect(exported.status == 0, "\(exported.stderr)")
        let text = try String(contentsOfFile: export, encoding: .utf8)
        #expect(text.components(separatedBy: ",name1,").count - 1 >= rows.count)
    }

    @Test("a record re-mapped in place after planning: the cutover refuses the plan up front")
    func rewrittenRecord() throws {
        let planned = try Planned()
        let legacyKey = try planned.firstInsert()
        try DatabaseQueue(path: planned.ledger).write { db in
            var customer = try #require(try StoredRecords.customers(db, where: "legacy_key = ?", [legacyKey]).first)
            customer.names[0] = "Changed " + customer.names[0]
            try StoredRecords.write(customer, legacyKey: legacyKey, rehash: true, db)
        }
        let cutover = try planned.cutover()
        #expect(cutover.status == 4, "\(cutover.stderr)")
        #expect(
            cutover.stderr.contains("PLAN-RECORD-CHANGED") && cutover.stderr.contains(legacyKey), "\(cutover.stderr)")
        #expect(try planned.targetCustomers() == 0)
    }

    @Test("a record altered behind the map's back: the rebuilt image is refused before its batch is written")
    func tamperedRecord() throws {
        let planned = try Planned()
        let legacyKey = try planned.firstInsert()
        let original = try DatabaseQueue(path: planned.ledger).write { db in
            let original = try #require(try StoredRecords.customers(db, where: "legacy_key = ?", [legacyKey]).first)
            var customer = original
            customer.names[0] = "Tampered " + customer.names[0]
            try StoredRecords.write(customer, legacyKey: legacyKey, rehash: false, db)
            #expect(db.changesCount == 1)
            return original
        }
        let cutover = try planned.cutover()
        #expect(cutover.status == 4, "\(cutover.stderr)")
        #expect(
            cutover.stderr.contains("PLAN-RECORD-CHANGED") && cutover.stderr.contains(legacyKey), "\(cutover.stderr)")
        #expect(try planned.targetCustomers() == 0)
        // Put back as it was, the same plan goes through.
        try DatabaseQueue(path: planned.ledger).write { db in
            try StoredRecords.write(original, legacyKey: legacyKey, rehash: false, db)
        }
        let again = try planned.cutover()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try planned.targetCustomers() > 0)
    }

    @Test("the map run a plan refers to is purged: the cutover refuses the plan as stale")
    func purgedRun() throws {
        let planned = try Planned()
        let purge = try CLI.run([
            "purge", "--run", "1", "--workspace", planned.sample.workspace, "--target", planned.sample.target,
        ])
        #expect(purge.status == 0, "\(purge.stderr)")
        let cutover = try planned.cutover()
        #expect(cutover.status == 4, "\(cutover.stderr)")
        #expect(cutover.stderr.contains("PLAN-RECORD-CHANGED"), "\(cutover.stderr)")
        #expect(cutover.stderr.contains("dry-run"), "\(cutover.stderr)")
        #expect(try planned.targetCustomers() == 0)
    }
}
