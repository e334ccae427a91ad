import Foundation
import GRDB
import Testing

@testable import CustmigCore

@Suite("The dry run", .serialized)
struct DryRunStageTests {
    @Test(
        "a first dry run plans inserts and rejects, stores a plan with a hash, and leaves the target byte for byte untouched"
    )
    func firstPlan() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: scenario.targetPath))
        let dump = try scenario.dump()
        let summary = try await scenario.dryRun()
        #expect(try Data(contentsOf: URL(fileURLWithPath: scenario.targetPath)) == bytes)
        #expect(try scenario.dump() == dump)
        #expect(summary.outcome == "new")
        // Replayed on a scratch copy instead, the plan is the same (same hash: kept as it is).
        let onCopy = try await scenario.dryRun { $0.rehearsal = .onCopy }
        #expect(onCopy.outcome == "unchanged" && onCopy.plan == summary.plan)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scenario.targetPath)) == bytes)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: scenario.folder + "/w").filter {
                $0.hasPrefix("rehearsal-")
            }.isEmpty)
        #expect(summary.contentHash.count == 64)
        #expect((summary.counts["insert"] ?? 0) > 300)
        #expect((summary.counts["reject"] ?? 0) > 40)
        #expect(summary.before.customers == 0)
        #expect(summary.after.customers == summary.counts["insert"])
        #expect(summary.after.rows["sales_area"] == summary.counts["insert"])
        let rejected = try #require(
            try scenario.action("0000100017", plan: summary.plan)
                ?? scenario.keys("reject", plan: summary.plan).first.flatMap {
                    try scenario.action($0, plan: summary.plan)
                })
        #expect(rejected.reason?.isEmpty == false)
        let html = try String(
            contentsOfFile: try #require(summary.reports.first { $0.hasSuffix(".html") }), encoding: .utf8)
        #expect(html.contains(summary.contentHash))
        #expect(html.contains("custmig approve \(summary.plan)"))
        #expect(
            !html.contains("<script src") && !html.contains("<link") && !html.contains("http://")
                && !html.contains("https://"))
        let csv = try String(
            contentsOfFile: try #require(summary.reports.first { $0.hasSuffix(".csv") }), encoding: .utf8)
        #expect(csv.hasPrefix("canonical_key,legacy_key,customer_id,name,country,action,changed_fields,field"))
        let json =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: URL(fileURLWithPath: try #require(summary.reports.first { $0.hasSuffix(".json") }))))
            as? [String: Any]
        #expect(
            (json?["actions"] as? [Any])?.count == (summary.counts["insert"] ?? 0) + (summary.counts["reject"] ?? 0))
    }

    @Test(
        "after a load: update, kept target change, conflict, target-owned kept, settled conflict, deactivation, unchanged"
    )
    func threeWay() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        _ = try await scenario.dryRun()
        let load = try await scenario.cutover()
        #expect(load.actionsApplied > 300)
        try scenario.sql(
            """
            UPDATE customer SET name1 = 'Finbe Automotive (target)' WHERE customer_id = '0000100001';
            UPDATE customer SET industry = 'TARGET' WHERE customer_id = '0000100002';
            UPDATE customer SET credit_limit = '1.00' WHERE customer_id = '0000100003';
            UPDATE address SET city = 'Target City' WHERE customer_id = '0000100004';
            """)
        try await scenario.map { text in
            text.replacingLine("100001") { $0.field(1, "Finbe Automotive AG") }
                .replacingLine("100002") { $0.field(2, "Zweigniederlassung") }
                .replacingLine("100003") { $0.field(14, "99.999,00") }
                .replacingLine("100004") { $0.field(23, "FCA") }
                .replacingLine("100005") { _ in nil }
        }
        let plan = try await scenario.dryRun()
        try await expectDigestReadBack(plan, scenario)
        let conflict = try #require(try scenario.action("0000100001", plan: plan.plan))
        #expect(conflict.action == "conflict")
        #expect(conflict.reason?.contains("name1") == true)
        let update = try #require(try scenario.action("0000100002", plan: plan.plan))
        #expect(update.action == "update")
        #expect(update.changes?.contains("\"path\":\"name2\"") == true)
        #expect(
            update.changes?.contains("\"outcome\":\"kept_target\"") == true,
            "industry changed only in the target is kept")
        let owned = try #require(try scenario.action("0000100003", plan: plan.plan))
        #expect(owned.action == "unchanged", "credit_limit is target-owned: ours' change is not written")
        #expect(owned.changes?.contains("kept_target_owned") == true)
        let child = try #require(try scenario.action("0000100004", plan: plan.plan))
        #expect(child.action == "update")
        #expect(child.changes?.contains("sales_area[1000/10/00].incoterms") == true)
        #expect(child.changes?.contains("\"after\":\"Target City\"") == true)
        #expect(try scenario.action("0000100005", plan: plan.plan)?.action == "deactivate")
        #expect(try scenario.action("0000100000", plan: plan.plan)?.action == "unchanged")
        #expect(plan.counts["deactivate"] == 1)
        // The page the business owners sign shows both kept target values, with the value that stays.
        let page = try String(
            contentsOfFile: try #require(plan.reports.first { $0.hasSuffix("plan.html") }), encoding: .utf8)
        let kept = try #require(page.range(of: "<h2>Kept target values</h2>")).upperBound
        let keptSection = String(page[kept...]).components(separatedBy: "</section>")[0]
        #expect(keptSection.contains("0000100002") && keptSection.contains("TARGET"), "\(keptSection.prefix(600))")
        #expect(keptSection.contains("0000100003") && keptSection.contains("1.00"), "\(keptSection.prefix(600))")
        // Updates and the deactivation keep their before-image and changes, not a copy of the after-image;
        // the conflict, not loaded, keeps only its changes.
        let stored = try scenario.workspace.ledger.database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT canonical_key, action, before_image IS NOT NULL AS before, image IS NOT NULL AS image,
                    record_ref, image_fingerprint FROM plan_action
                    WHERE plan_id = ? AND action IN ('update', 'deactivate', 'conflict') ORDER BY canonical_key
                    """, arguments: [plan.plan])
        }
        #expect(stored.count == 4, "\(stored)")
        for row in stored {
            let conflicted = row["action"] as String == "conflict"
            #expect(row["image"] as Bool == false, "\(row)")
            #expect(row["before"] as Bool == !conflicted, "\(row)")
            #expect(row["record_ref"] as String? == (conflicted ? nil : "changes"), "\(row)")
            #expect((row["image_fingerprint"] as String?)?.count == (conflicted ? nil : 32), "\(row)")
        }

        // A conflict settled in the resolution file beside the mapping is re-applied on every re-plan.
        let resolutions = (scenario.mappingPath as NSString).deletingLastPathComponent + "/conflict-resolutions.csv"
        try "key,field,resolution,who\n0000100001,name1,ours,Maria Keller\n".write(
            toFile: resolutions, atomically: true, encoding: .utf8)
        let settled = try await scenario.dryRun()
        #expect(settled.supersedes == plan.plan)
        #expect(try scenario.action("0000100001", plan: settled.plan)?.action == "update")
        // Changes altered in the ledger behind the plan's back no longer make the image the plan was hashed
        // with: the cutover refuses them before writing the customer.
        let ledger = scenario.workspace.ledger.database
        let tamper =
            "UPDATE plan_action SET changes = replace(changes, ?, ?) WHERE plan_id = ? AND canonical_key = '0000100002'"
        try await ledger.write {
            try $0.execute(sql: tamper, arguments: ["Zweigniederlassung", "Tampered", settled.plan])
        }
        let business = try scenario.dump(except: ["custmig_meta", "custmig_snapshot", "custmig_batch_layout"])
        await #expect {
            try await scenario.cutover()
        } throws: {
            ($0 as? CustmigError)?.code == "PLAN-CHANGES-UNREADABLE"
        }
        #expect(
            try scenario.dump(except: ["custmig_meta", "custmig_snapshot", "custmig_batch_layout"]) == business,
            "nothing of the plan was written")
        try await ledger.write {
            try $0.execute(sql: tamper, arguments: ["Tampered", "Zweigniederlassung", settled.plan])
        }
        let applied = try await scenario.cutover()
        #expect(applied.actionsApplied == (settled.counts["update"] ?? 0) + (settled.counts["deactivate"] ?? 0))
        let after = try DatabaseQueue(path: scenario.targetPath).read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT customer_id, name1, status, industry, credit_limit FROM customer WHERE customer_id <= '0000100005' ORDER BY 1"
            )
        }
        #expect(after[1]["name1"] == "Finbe Automotive AG")
        #expect(after[2]["industry"] == "TARGET")
        #expect(after[3]["credit_limit"] == "1.00")
        #expect(after[5]["status"] == "inactive")
        // Fingerprints read straight from SQLite equal those of the images built from the same rows.
        let ids = try scenario.target.customerIds()
        let fingerprints = try scenario.target.fingerprints(ids: ids)
        let images = try scenario.target.images(ids: ids)
        #expect(fingerprints.count == ids.count)
        for id in ids {
            guard case .success(let image)? = images[id] else { Issue.record("no image for \(id)"); continue }
            #expect(fingerprints[id] == image.fingerprint, "\(id)")
        }
        // Close ids are read as one range, scattered ones one by one: the same fingerprints either way,
        // and only for the ids asked for.
        let scattered = ids.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        #expect(scattered.count >= 3)
        let some = try scenario.target.fingerprints(ids: scattered)
        #expect(some.count == scattered.count)
        for id in scattered { #expect(some[id] == fingerprints[id], "\(id)") }
        let neighbours = Array(ids.prefix(4))
        #expect(
            try scenario.target.fingerprints(ids: neighbours) == fingerprints.filter { neighbours.contains($0.key) })
    }

    /// A mapped scenario whose target refuses every GmbH: a validation the target has and the plan cannot
    /// know (an ERP-side rule, here a trigger).
    static func refusingGmbH() async throws -> DryRunScenario {
        let scenario = try DryRunScenario()
        try await scenario.map()
        try scenario.sql(
            """
            CREATE TRIGGER refuse_gmbh BEFORE INSERT ON customer WHEN NEW.name1 LIKE '%GmbH%'
            BEGIN SELECT RAISE(ABORT, 'legal form GmbH needs a tax office in this tenant'); END;
            """)
        return scenario
    }

    @Test("a customer the target itself refuses in the replay becomes a reject naming the batch and the reason")
    func refusedInReplay() async throws {
        let scenario = try await Self.refusingGmbH()
        let plan = try await scenario.dryRun()
        #expect(plan.refusedInRehearsal > 0)
        let refused = try scenario.workspace.ledger.database.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT canonical_key, action, batch, reason FROM plan_action WHERE plan_id = ? AND reason LIKE 'the target refuses%'",
                arguments: [plan.plan])
        }
        #expect(refused.count == plan.refusedInRehearsal)
        // Those refused for the rule, and those referring to one of them (the target lacks it then).
        let byRule = refused.filter { ($0["reason"] as String).contains("legal form GmbH needs a tax office") }
        #expect(byRule.count > 0)
        for row in refused {
            #expect(row["action"] as String == "reject")
            #expect(row["batch"] as Int? == nil)
            let reason: String = row["reason"]
            #expect(reason.hasPrefix("the target refuses it in batch 1: "))
            #expect(byRule.contains(row) || reason.contains("FOREIGN KEY"), "\(reason)")
        }
        // A dependent names the refused customer it refers to.
        let dependents = refused.filter { !byRule.contains($0) }
        #expect(!dependents.isEmpty)
        for row in dependents {
            let reason: String = row["reason"]
            #expect(reason.contains("which the target refuses too"), "\(reason)")
        }
        // The hash and counts describe the plan as stored, refusals included, and a second dry run
        // against the same target finds the same plan.
        try await expectDigestReadBack(plan, scenario)
        #expect(plan.counts["reject"] ?? 0 >= plan.refusedInRehearsal)
        let again = try await scenario.dryRun()
        #expect(again.outcome == "unchanged")
        #expect(again.contentHash == plan.contentHash)
        let inserted = try await scenario.cutover()
        #expect(inserted.actionsApplied == plan.counts["insert"])
    }

    @Test(
        "a first load rehearsed on a copy beside its planning refuses what the in-place rehearsal refuses, batch by batch: the same plan"
    )
    func rehearsedBesidePlanning() async throws {
        let scenario = try await Self.refusingGmbH()
        // Small batches, so that refusals fall in many of them and the copy replays batch after batch.
        let inPlace = try await scenario.dryRun {
            $0.rehearsal = .inPlace
            $0.batchSize = 7
        }
        #expect(inPlace.refusedInRehearsal > 0)
        let beside = try await scenario.dryRun {
            $0.rehearsal = .onCopy
            $0.batchSize = 7
        }
        #expect(beside.contentHash == inPlace.contentHash, "the same rejects, reasons and batches")
        #expect(beside.refusedInRehearsal == inPlace.refusedInRehearsal)
        let batches = try await scenario.workspace.ledger.database.read { db in
            try Set(
                String.fetchAll(
                    db,
                    sql:
                        "SELECT reason FROM plan_action WHERE plan_id = ? AND reason LIKE 'the target refuses it in batch%'",
                    arguments: [inPlace.plan]
                ).map { $0.prefix(while: { $0 != ":" }) })
        }
        #expect(batches.count > 3, "refusals in several batches: \(batches)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: scenario.folder + "/w").filter {
                $0.hasPrefix("rehearsal-")
            }.isEmpty, "the copy is deleted")
        let inserted = try await scenario.cutover()
        #expect(inserted.actionsApplied == inPlace.counts["insert"])
    }

    @Test("records mapped before the ledger kept their hashes are read and hashed: the same plan, the same hash")
    func recordsWithoutHash() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        _ = try await scenario.dryRun()
        _ = try await scenario.cutover()
        try await scenario.map { text in text.replacingLine("100002") { $0.field(2, "Zweigniederlassung") } }
        let withHashes = try await scenario.dryRun()
        #expect(withHashes.counts["update"] == 1)
        #expect(withHashes.counts["unchanged"] ?? 0 > 300)
        try await scenario.workspace.ledger.database.write { db in
            try db.execute(sql: "UPDATE canonical_record SET data_hash = NULL")
        }
        let without = try await scenario.dryRun()
        #expect(without.contentHash == withHashes.contentHash)
        #expect(without.outcome == "unchanged")
        #expect(without.counts == withHashes.counts)
    }

    /// The hash, counts and totals taken while the plan was written are those its stored rows give.
    func expectDigestReadBack(_ plan: PlanSummary, _ scenario: DryRunScenario) async throws {
        let ledger = scenario.workspace.ledger
        let inputs = try DryRunStage.Inputs.load(ledger: ledger, options: DryRunOptions(command: "test"))
        let readBack = try await PlanStore.digest(
            plan: plan.plan, header: try inputs.hashHeader(target: scenario.target, ledger: ledger), ledger: ledger)
        #expect(readBack.hash == plan.contentHash)
        #expect(readBack.counts == plan.counts)
        var after = plan.before
        after.add(readBack.totalsChange)
        #expect(after == plan.after)
    }

    @Test("codes the target lacks and references to customers that will not exist are rejects with reasons")
    func codeAndReferenceRejects() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map { text in
            text.replacingLine("100001") { $0.field(20, "9999") }
                .replacingLine("100004") { $0.field(18, "100001") }
                .replacingLine("100006") { $0.field(18, "777777") }
        }
        let plan = try await scenario.dryRun()
        let code = try #require(try scenario.action("0000100001", plan: plan.plan))
        #expect(code.action == "reject")
        #expect(code.reason?.contains("\"9999\" is not a sales organization") == true)
        let reference = try #require(try scenario.action("0000100004", plan: plan.plan))
        #expect(reference.action == "reject")
        #expect(reference.reason?.contains("refers to customer 100001") == true)
        #expect(try scenario.action("0000100006", plan: plan.plan)?.action == "reject")
    }

    @Test(
        "numbering: legacy keeps the key, external maps into a range, internal numbers by account group, deterministically"
    )
    func numbering() async throws {
        let legacy = try DryRunScenario()
        try await legacy.map()
        let first = try await legacy.dryRun()
        #expect(
            try await legacy.workspace.ledger.database.read { db in
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT COUNT(*) FROM plan_action WHERE plan_id = ? AND action = 'insert' AND customer_id != canonical_key",
                    arguments: [first.plan])
            } == 0)
        let external = try DryRunScenario(load: "  numbering: {prefix: C, offset: 5000000, width: 8}")
        try await external.map()
        let mapped = try await external.dryRun()
        #expect(
            try await external.workspace.ledger.database.read { db in
                try String.fetchOne(
                    db, sql: "SELECT customer_id FROM plan_action WHERE plan_id = ? AND canonical_key = '0000100001'",
                    arguments: [mapped.plan])
            } == "C05100001")
        var ids: [[String]] = []
        for _ in 0..<2 {
            let ranged = try DryRunScenario(load: "  numbering: internal")
            try ranged.sql(
                "INSERT INTO customer (customer_id, name1, account_group) VALUES ('0001000007', 'Hand made', '0001')")
            try await ranged.map()
            let plan = try await ranged.dryRun()
            ids.append(
                try await ranged.workspace.ledger.database.read { db in
                    try String.fetchAll(
                        db,
                        sql:
                            "SELECT customer_id FROM plan_action WHERE plan_id = ? AND action = 'insert' ORDER BY canonical_key",
                        arguments: [plan.plan])
                })
        }
        #expect(ids[0] == ids[1])
        #expect(ids[0].allSatisfy { ["0001", "0002", "0009"].contains(String($0.prefix(4))) && $0.count == 10 })
        #expect(
            ids[0].contains("0001000008") && !ids[0].contains("0001000007"),
            "numbers continue after the highest one in the range")
    }

    @Test("a truncated full extract cannot deactivate half the master: the plan fails its gate")
    func deactivationCap() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        _ = try await scenario.dryRun()
        _ = try await scenario.cutover()
        try await scenario.map { text in
            let lines = text.components(separatedBy: "\r\n")
            return lines.prefix(lines.count / 2).joined(separator: "\r\n")
        }
        let plan = try await scenario.dryRun()
        #expect((plan.counts["deactivate"] ?? 0) > 100)
        #expect(plan.deactivationGateFailed)
        #expect(plan.deactivationCap == Int(Double(plan.before.customers) * 0.05))
    }

    @Test(
        "re-planning: the same inputs against an unchanged target keep the plan and its approval; a change supersedes it"
    )
    func replanning() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        let first = try await scenario.dryRun()
        _ = try PlanStore.approve(plan: first.plan, by: "Maria Keller", note: nil, ledger: scenario.workspace.ledger)
        let again = try await scenario.dryRun()
        #expect(again.outcome == "unchanged")
        #expect(again.plan == first.plan && again.contentHash == first.contentHash)
        #expect(again.approvedBy == "Maria Keller")
        try scenario.sql("INSERT INTO customer (customer_id, name1) VALUES ('0000100001', 'Someone else')")
        let changed = try await scenario.dryRun()
        #expect(changed.outcome == "new")
        #expect(changed.supersedes == first.plan)
        #expect(changed.actionChanges.contains { $0.hasPrefix("0000100001: insert -> ") })
        #expect(throws: CustmigError.self) {
            try PlanStore.approve(plan: first.plan, by: "x", note: nil, ledger: scenario.workspace.ledger)
        }
        #expect(try PlanStore.resolve("latest", ledger: scenario.workspace.ledger) == changed.plan)
    }

    @Test("--mask-pii masks emails, phones, tax ids and IBANs in the HTML, CSV and JSON reports")
    func masked() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        let plan = try await scenario.dryRun { $0.maskPII = true }
        let line = try #require(
            try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
                .components(separatedBy: "\r\n").first { $0.hasPrefix("100001;") })
        let vat = line.components(separatedBy: ";")[10]
        #expect(vat.hasPrefix("DE"))
        for report in plan.reports {
            let text = try String(contentsOfFile: report, encoding: .utf8)
            #expect(!text.contains(vat), "\(report)")
            #expect(!text.contains("@finbe-auto.de"), "\(report)")
        }
        let csv = try String(contentsOfFile: try #require(plan.reports.first { $0.hasSuffix(".csv") }), encoding: .utf8)
        #expect(csv.contains("D*"))
    }

    @Test("a customer someone created by hand in the target is linked, not inserted twice")
    func link() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        let line = try #require(
            try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
                .components(separatedBy: "\r\n").first { $0.hasPrefix("100001;") }
        ).components(separatedBy: ";")
        try scenario.sql(
            """
            INSERT INTO customer (customer_id, name1, vat_id, industry) VALUES ('H-000042', '\(line[1])', '\(line[10])', 'HAND');
            INSERT INTO address (customer_id, address_id, kind, street, postal_code, city, country)
            VALUES ('H-000042', 'legal-1', 'legal', '\(line[3])', '\(line[4])', '\(line[5])', 'DE');
            """)
        let handMade = try scenario.dump(except: ["custmig_snapshot"])
        let plan = try await scenario.dryRun()
        let linked = try #require(try scenario.action("0000100001", plan: plan.plan))
        #expect(linked.action == "link")
        #expect(linked.reason?.contains("H-000042") == true)
        #expect(plan.counts["link"] == 1)
        _ = try await scenario.cutover()
        let crosswalk = try scenario.target.crosswalk()
        #expect(crosswalk["0000100001"] == "H-000042")
        let next = try await scenario.dryRun()
        #expect(try scenario.action("0000100001", plan: next.plan)?.action == "unchanged")
        // Rolled back, the linked customer is the hand-made one again (not deleted), and unlinked.
        let undone = try RollbackStage.run(
            plan: String(plan.plan), mode: .surgical, workspace: scenario.workspace, target: scenario.target)
        #expect(undone.kept.isEmpty && undone.restored == 1, "\(undone)")
        #expect(try scenario.dump(except: ["custmig_snapshot"]) == handMade)
    }

    @Test("a target row that cannot be decoded is a reject naming its key, not a failure")
    func unreadableRow() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        _ = try await scenario.dryRun()
        _ = try await scenario.cutover()
        try scenario.sql("UPDATE customer SET search_term = x'00ff' WHERE customer_id = '0000100002'")
        let plan = try await scenario.dryRun()
        let row = try #require(try scenario.action("0000100002", plan: plan.plan))
        #expect(row.action == "reject")
        #expect(row.reason?.contains("0000100002: customer.search_term holds binary data") == true)
    }

    @Test(
        "a plan left current without its summary (killed while sealing) is rebuilt, and the plan it replaced is current again"
    )
    func killedWhileSealing() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        let first = try await scenario.dryRun()
        try await scenario.map { $0.replacingOccurrences(of: "Bauer", with: "Baur") }
        let second = try await scenario.dryRun()
        #expect(second.plan != first.plan)
        // What a kill between the two transactions of an earlier custmig left behind.
        try await scenario.workspace.ledger.database.write { db in
            try db.execute(sql: "UPDATE plan SET summary = NULL WHERE id = ?", arguments: [second.plan])
        }
        let again = try await scenario.dryRun()
        #expect(again.contentHash == second.contentHash)
        #expect(again.outcome == "new")
        #expect(again.supersedes == first.plan)
        let statuses = try await scenario.workspace.ledger.database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, status FROM plan ORDER BY id").map {
                "\($0["id"] as Int64):\($0["status"] as String)"
            }
        }
        #expect(statuses == ["\(first.plan):superseded", "\(again.plan):current"])
    }
}
