import CustmigCore
import Foundation
import GRDB
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The cutover and the rollback: refusals, staleness, snapshots, surgical undo with later edits, and
/// kill -9 at random moments with a resume that ends where an uninterrupted run ends.
@Suite("Cutover and rollback", .serialized)
struct CutoverTests {
    /// The target's business tables and bookkeeping, rows sorted, without timestamps and paths.
    static func dump(_ path: String, bookkeeping: Bool = true) throws -> String {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var tables =
                ["customer"] + ["address", "contact", "bank_account", "sales_area", "partner_function", "company_code"]
            var queries = tables.map { "SELECT * FROM \($0)" }
            if bookkeeping {
                tables += ["custmig_crosswalk", "custmig_loaded", "custmig_checkpoint", "custmig_undo"]
                queries += [
                    "SELECT canonical_key, customer_id, how, image_hash, source_hash, plan_hash FROM custmig_crosswalk",
                    "SELECT canonical_key, image, image_hash, source_hash, plan_hash FROM custmig_loaded",
                    "SELECT plan_hash, batch, actions FROM custmig_checkpoint",
                    "SELECT plan_hash, batch, seq, canonical_key, customer_id, before_image, after_hash FROM custmig_undo",
                ]
            }
            var text = ""
            for (table, query) in zip(tables, queries) {
                text +=
                    table + "\n"
                    + (try Row.fetchAll(db, sql: query).map(\.description).sorted().joined(separator: "\n")) + "\n"
            }
            return text
        }
    }

    /// A workspace with a mapped 4,000-row extract and a stored plan (batches of 50) against a fresh target.
    static func planned(rows: Int = 4_000) throws -> (folder: String, workspace: String, target: String) {
        let folder = try Paths.scratch()
        _ = try SampleGenerator(options: SampleOptions(rows: rows, seed: 23, formats: [.csv])).write(to: folder)
        let workspace = folder + "/w"
        let target = folder + "/target.db"
        #expect(
            try CLI.run([
                "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), folder + "/customers.csv",
                "--workspace", workspace,
            ]).status == 0)
        #expect(
            try CLI.run(["target", "init", "sqlite:" + target, "--codes", Paths.samples("target-codes.csv")]).status
                == 0)
        let plan = try CLI.run([
            "dry-run", "--target", "sqlite:" + target, "--workspace", workspace, "--batch-size", "50",
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        return (folder, workspace, target)
    }

    /// `custmig cutover latest` of a target and workspace, unapproved (a rehearsal, recorded).
    static func cutoverArguments(target: String, workspace: String) -> [String] {
        ["cutover", "latest", "--target", "sqlite:" + target, "--workspace", workspace, "--allow-unapproved"]
    }

    /// A copy of a planned workspace and target, to cut over beside the original.
    static func copy(
        of setup: (folder: String, workspace: String, target: String), as name: String
    ) throws -> (workspace: String, target: String) {
        let copy = (workspace: setup.folder + "/w-" + name, target: setup.folder + "/target-" + name + ".db")
        try FileManager.default.copyItem(atPath: setup.workspace, toPath: copy.workspace)
        try FileManager.default.copyItem(atPath: setup.target, toPath: copy.target)
        return copy
    }

    @Test(
        "killed at 20+ random moments (snapshot, mid-batch, mid-commit), resumed: the same target as an uninterrupted cutover"
    )
    func cutoverCrash() throws {
        let setup = try Self.planned()
        let (crashedWorkspace, crashedTarget) = try Self.copy(of: setup, as: "crashed")
        let before = try Self.dump(setup.target, bookkeeping: false)
        let reference = try CLI.run(Self.cutoverArguments(target: setup.target, workspace: setup.workspace))
        #expect(reference.status == 0, "\(reference.stderr)")
        let arguments = Self.cutoverArguments(target: crashedTarget, workspace: crashedWorkspace)
        var kills = 0
        while kills < 20 {
            let more = try KillLoop.run(arguments, attempts: 60, delays: 15_000...160_000)
            kills += more
            if more == 0 { break }
            if kills < 20 {
                // Start over from the planned state to reach 20 kill points on a short cutover.
                let restart = try CLI.run([
                    "rollback", "latest", "--target", "sqlite:" + crashedTarget, "--workspace", crashedWorkspace,
                ])
                #expect(restart.status == 0, "\(restart.stderr)")
            }
        }
        let final = try CLI.run(arguments)
        #expect(final.status == 0, "\(final.stderr)")
        #expect(try Self.dump(setup.target, bookkeeping: false) != before)
        let expected = try Self.dump(setup.target).replacingOccurrences(of: setup.target, with: "")
        let actual = try Self.dump(crashedTarget).replacingOccurrences(of: crashedTarget, with: "")
        #expect(expected == actual, "\(kills) kills, seed \(KillLoop.seed)")
        let again = try CLI.run(arguments)
        #expect(again.stdout.contains("already applied"))
    }

    @Test(
        "a full target disk stops the batch cleanly (nothing of it committed) naming batch and customer; after space is freed the same command resumes to the uninterrupted result"
    )
    func fullDisk() async throws {
        let setup = try Self.planned(rows: 1_000)
        let (fullWorkspace, fullTarget) = try Self.copy(of: setup, as: "full")
        let reference = try CLI.run(Self.cutoverArguments(target: setup.target, workspace: setup.workspace))
        #expect(reference.status == 0, "\(reference.stderr)")

        // The "disk": this connection may grow the target by only a few dozen pages.
        do {
            let workspace = try Workspace(path: fullWorkspace, command: "test", writer: true)
            let target = try SQLiteTarget(path: fullTarget)
            defer { try? target.close() }
            let pages = try await target.database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
            try await target.database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA max_page_count = \(pages + 60)")
            }
            var options = CutoverOptions(command: "test")
            options.allowUnapproved = true
            let error = await #expect(throws: CustmigError.self) {
                try await CutoverStage.run(plan: "latest", workspace: workspace, target: target, options: options)
            }
            #expect(error?.code == "CUTOVER-REFUSED")
            #expect(error?.message.contains("full") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("at customer") == true)
            #expect(error?.fix?.contains("resumes at batch") == true)
            // Every committed batch is whole and nothing of the failed one is there.
            let (batches, applied, customers) = try await target.database.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM custmig_checkpoint") ?? -1,
                    try Int.fetchOne(db, sql: "SELECT IFNULL(SUM(actions), 0) FROM custmig_checkpoint") ?? -1,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer") ?? -1
                )
            }
            #expect(batches >= 1)
            #expect(customers == applied)
        }

        // Space freed (a new connection has no page limit): the same command resumes and finishes.
        let resumed = try CLI.run(Self.cutoverArguments(target: fullTarget, workspace: fullWorkspace))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let expected = try Self.dump(setup.target).replacingOccurrences(of: setup.target, with: "")
        let actual = try Self.dump(fullTarget).replacingOccurrences(of: fullTarget, with: "")
        #expect(expected == actual)
    }

    @Test(
        "a row the target refuses in the middle of a run of new customers names that customer; nothing of its batch is committed, and the rerun after the fix ends as an uninterrupted run"
    )
    func refusedNewCustomer() throws {
        let setup = try Self.planned(rows: 1_000)
        let (referenceWorkspace, referenceTarget) = try Self.copy(of: setup, as: "reference")
        #expect(
            try CLI.run(Self.cutoverArguments(target: referenceTarget, workspace: referenceWorkspace)).status == 0)
        // The 10th customer of the second batch (of 50) gets a rival in the target: another customer
        // with its external id, which the target's schema holds unique.
        let victim = try DatabaseQueue(path: setup.workspace + "/ledger.sqlite").read { db in
            try #require(
                try Row.fetchOne(
                    db,
                    sql:
                        "SELECT canonical_key, customer_id FROM plan_action WHERE batch = 1 ORDER BY seq LIMIT 1 OFFSET 9"
                ))
        }
        let victimId: String = victim["customer_id"]
        let externalId = try DatabaseQueue(path: referenceTarget).read { db in
            try #require(
                try String.fetchOne(
                    db, sql: "SELECT external_id FROM customer WHERE customer_id = ?", arguments: [victimId]))
        }
        let blocker = try DatabaseQueue(path: setup.target)
        try blocker.write { db in
            try db.execute(
                sql: "INSERT INTO customer (customer_id, external_id, name1) VALUES ('RIVAL', ?, 'Rival')",
                arguments: [externalId])
        }
        let refused = try CLI.run(Self.cutoverArguments(target: setup.target, workspace: setup.workspace))
        #expect(refused.status != 0)
        #expect(
            refused.stderr.contains(
                "batch 2 of plan 1 was refused at customer \(victim["canonical_key"] as String) (\(victimId))"),
            "\(refused.stderr)")
        #expect(refused.stderr.contains("UNIQUE constraint failed: customer.external_id"), "\(refused.stderr)")
        let (batches, customers) = try blocker.read { db in
            (
                try Int.fetchAll(db, sql: "SELECT batch FROM custmig_checkpoint"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer") ?? -1
            )
        }
        #expect(batches == [0] && customers == 50 + 1, "batches \(batches), customers \(customers)")
        try blocker.write { db in try db.execute(sql: "DELETE FROM customer WHERE customer_id = 'RIVAL'") }
        try blocker.close()
        let resumed = try CLI.run(Self.cutoverArguments(target: setup.target, workspace: setup.workspace))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let expected = try Self.dump(referenceTarget).replacingOccurrences(of: referenceTarget, with: "")
        let actual = try Self.dump(setup.target).replacingOccurrences(of: setup.target, with: "")
        #expect(expected == actual)
    }

    @Test("a target another writer holds locked is waited for (bounded busy timeout), then loaded")
    func lockedTarget() throws {
        let setup = try Self.planned(rows: 300)
        let blocker = try DatabaseQueue(path: setup.target)
        let holding = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? blocker.inTransaction(.immediate) { db in
                try db.execute(sql: "UPDATE custmig_meta SET value = value WHERE key = 'schema'")
                holding.signal()
                Thread.sleep(forTimeInterval: 1.5)
                return .commit
            }
            released.signal()
        }
        holding.wait()
        let started = Date()
        let result = try CLI.run(Self.cutoverArguments(target: setup.target, workspace: setup.workspace))
        released.wait()
        try blocker.close()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) >= 1.0)
        #expect(result.stdout.contains("batches applied"))
    }

    @Test("surgical rollback, killed at random moments and resumed, leaves the business tables as before the cutover")
    func rollbackCrash() throws {
        let setup = try Self.planned(rows: 2_000)
        let before = try Self.dump(setup.target, bookkeeping: false)
        #expect(
            try CLI.run(Self.cutoverArguments(target: setup.target, workspace: setup.workspace)).status == 0)
        let arguments = ["rollback", "latest", "--target", "sqlite:" + setup.target, "--workspace", setup.workspace]
        let kills = try KillLoop.run(arguments, attempts: 60, delays: 10_000...80_000)
        let final = try CLI.run(arguments)
        #expect(final.status == 0, "\(final.stderr)")
        #expect(try Self.dump(setup.target, bookkeeping: false) == before, "\(kills) kills, seed \(KillLoop.seed)")
        let queue = try DatabaseQueue(path: setup.target)
        let (crosswalk, loaded) = try queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM custmig_crosswalk") ?? -1,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM custmig_loaded") ?? -1
            )
        }
        try queue.close()
        #expect(crosswalk == 0 && loaded == 0)
        #expect(try CLI.run(arguments).stdout.contains("nothing left to undo"))
    }

    @Test(
        "a row edited after the cutover survives a surgical rollback; one referenced by a customer the cutover did not create is kept"
    )
    func laterEdits() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        _ = try await scenario.dryRun()
        _ = try await scenario.cutover()
        try scenario.sql(
            """
            UPDATE customer SET name1 = 'Edited after go-live' WHERE customer_id = '0000100002';
            INSERT INTO customer (customer_id, name1, parent_id) VALUES ('HAND-1', 'Made by hand', '0000100003');
            """)
        let summary = try RollbackStage.run(
            plan: "latest", mode: .surgical, workspace: scenario.workspace, target: scenario.target)
        #expect(summary.kept.count == 2, "\(summary.kept)")
        #expect(summary.kept.contains { $0.hasPrefix("0000100002") && $0.contains("edited") })
        #expect(summary.kept.contains { $0.hasPrefix("0000100003") && $0.contains("HAND-1") })
        let remaining = try scenario.target.customerIds()
        #expect(Set(remaining) == ["0000100002", "0000100003", "HAND-1"])
    }

    @Test("two customers that are each other's parent load in two passes; a surgical rollback undoes both")
    func referenceCycle() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map { text in
            text.replacingLine("100001") { $0.field(18, "100002") }.replacingLine("100002") { $0.field(18, "100001") }
        }
        let plan = try await scenario.dryRun()
        let kinds = try await scenario.workspace.ledger.database.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT apply_kind FROM plan_action WHERE plan_id = ? AND canonical_key IN ('0000100001', '0000100002')",
                arguments: [plan.plan])
        }
        #expect(kinds.contains("upsert_rows") && kinds.contains("references"), "\(kinds)")
        let empty = try scenario.dump(except: ["custmig_snapshot"])
        _ = try await scenario.cutover()
        let parents = try await scenario.target.database.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT customer_id, parent_id FROM customer WHERE customer_id IN ('0000100001', '0000100002') ORDER BY 1"
            ).map { "\($0[0] as String)>\($0[1] as String? ?? "-")" }
        }
        #expect(parents == ["0000100001>0000100002", "0000100002>0000100001"])
        let summary = try RollbackStage.run(
            plan: "latest", mode: .surgical, workspace: scenario.workspace, target: scenario.target)
        #expect(summary.kept.isEmpty, "\(summary.kept)")
        let inserted = Set(try scenario.keys("insert", plan: plan.plan))
        #expect(summary.restored == 0 && summary.deleted == inserted.count, "\(summary)")
        #expect(try scenario.dump(except: ["custmig_snapshot"]) == empty)
        #expect(try scenario.target.customerIds().isEmpty)
    }

    @Test("reconcile finds a target row edited and one deleted after the cutover, whatever the plan's chunk size")
    func reconcileFindsLaterEdits() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        _ = try await scenario.dryRun()
        _ = try await scenario.cutover()
        let whole = try await ReconcileStage.run(plan: "latest", workspace: scenario.workspace, target: scenario.target)
        #expect(whole.matches && whole.mismatchCount == 0, "\(whole.mismatches)")
        let inserted = try #require(whole.planned["insert"])
        #expect(inserted > 100 && whole.inTarget["insert"] == inserted, "\(whole.inTarget)")
        // Chunks of 7 actions (and one action) read the same plan: the same counts.
        for size in [7, 1] {
            let chunked = try await ReconcileStage.run(
                plan: "latest", workspace: scenario.workspace, target: scenario.target, chunkSize: size)
            #expect(chunked.matches && chunked.inTarget == whole.inTarget && chunked.planned == whole.planned)
        }
        try scenario.sql("UPDATE customer SET name1 = 'Edited by hand' WHERE customer_id = '0000100002'")
        try scenario.sql("DELETE FROM company_code WHERE customer_id = '0000100003'")
        try scenario.sql("DELETE FROM partner_function WHERE customer_id = '0000100007' OR partner_id = '0000100007'")
        try scenario.sql("UPDATE customer SET parent_id = NULL WHERE parent_id = '0000100007'")
        try scenario.sql("DELETE FROM custmig_crosswalk WHERE customer_id = '0000100007'")
        for table in ["address", "contact", "bank_account", "sales_area", "company_code"] {
            try scenario.sql("DELETE FROM \(table) WHERE customer_id = '0000100007'")
        }
        try scenario.sql("DELETE FROM customer WHERE customer_id = '0000100007'")
        let after = try await ReconcileStage.run(
            plan: "latest", workspace: scenario.workspace, target: scenario.target, chunkSize: 7)
        #expect(!after.matches)
        let problems = Dictionary(uniqueKeysWithValues: after.mismatches.map { ($0.customerId, $0.problem) })
        #expect(problems["0000100002"] == "the target row differs from what the plan loads", "\(problems)")
        #expect(problems["0000100003"] == "the target row differs from what the plan loads", "\(problems)")
        #expect(problems["0000100007"] == "missing in the target", "\(problems)")
        #expect(after.inTarget["insert"] == inserted - after.mismatchCount)
        #expect(after.inTarget["crosswalked by this plan"] == whole.inTarget["crosswalked by this plan"]! - 1)
        #expect(after.targetTotals != after.expectedTotals, "a deleted customer leaves the control totals")
    }

    @Test("a delta wave rolled back surgically leaves every table as before it, its last-loaded bookkeeping too")
    func deltaWaveRollback() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        _ = try await scenario.dryRun()
        _ = try await scenario.cutover()
        // The delta's snapshot stays recorded (kept for a snapshot rollback until purge).
        let beforeDelta = try scenario.dump(except: ["custmig_snapshot"])
        try await scenario.map { text in
            text.replacingLine("100001") { $0.field(1, "Finbe Automotive AG") }
                .replacingLine("100002") { $0.field(2, "Zweigniederlassung") }
                .replacingLine("100004") { $0.field(23, "FCA") }
                .replacingLine("100005") { _ in nil }
        }
        let delta = try await scenario.dryRun()
        #expect(delta.counts["update"] == 3 && delta.counts["deactivate"] == 1, "\(delta.counts)")
        let firstLoad = try CrosswalkShow.entry("100001", workspace: scenario.workspace, target: scenario.target)
        #expect(firstLoad.loadedByPlan == 1 && firstLoad.rowNow == "as loaded", "\(firstLoad)")
        _ = try await scenario.cutover()
        // `crosswalk show` reads the compact last-loaded values back, by legacy key, canonical key or target id.
        let loaded = try CrosswalkShow.entry("0000100001", workspace: scenario.workspace, target: scenario.target)
        #expect(loaded.loadedByPlan == delta.plan && loaded.lastLoaded["name1"] == "Finbe Automotive AG", "\(loaded)")
        try scenario.sql("UPDATE customer SET search_term = 'HAND' WHERE customer_id = '0000100004'")
        #expect(
            try CrosswalkShow.entry("0000100004", workspace: scenario.workspace, target: scenario.target).rowNow
                == "edited in the target since")
        try scenario.sql("UPDATE customer SET search_term = NULL WHERE customer_id = '0000100004'")
        #expect { try CrosswalkShow.entry("nope", workspace: scenario.workspace, target: scenario.target) } throws: {
            ($0 as? CustmigError)?.code == "CROSSWALK-UNKNOWN"
        }
        #expect(try scenario.dump(except: ["custmig_snapshot"]) != beforeDelta)
        let summary = try RollbackStage.run(
            plan: "latest", mode: .surgical, workspace: scenario.workspace, target: scenario.target)
        #expect(summary.restored == 4 && summary.deleted == 0 && summary.kept.isEmpty, "\(summary)")
        let after = try scenario.dump(except: ["custmig_snapshot"])
        let before = beforeDelta.split(separator: "\n")
        #expect(after == beforeDelta, "now: \(after.split(separator: "\n").filter { !before.contains($0) })")
        #expect(
            try CrosswalkShow.entry("100001", workspace: scenario.workspace, target: scenario.target).loadedByPlan == 1)
    }

    @Test(
        "snapshot rollback restores the target exactly; a corrupted snapshot is refused; unapproved, stale and superseded plans are refused"
    )
    func snapshotAndRefusals() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        let first = try await scenario.dryRun()
        let pristine = try Self.dump(scenario.targetPath)
        #expect(!pristine.isEmpty)
        var options = CutoverOptions(command: "test")
        await #expect {
            try await CutoverStage.run(
                plan: "latest", workspace: scenario.workspace, target: scenario.target, options: options)
        } throws: {
            ($0 as? CustmigError)?.code == "CUTOVER-UNAPPROVED"
        }
        _ = try PlanStore.approve(plan: first.plan, by: "Maria Keller", note: nil, ledger: scenario.workspace.ledger)
        // A customer created in the target since the plan: the batch stops, nothing of it applied.
        try scenario.sql("INSERT INTO customer (customer_id, name1) VALUES ('0000100001', 'Created meanwhile')")
        let stopped = try await CutoverStage.run(
            plan: "latest", workspace: scenario.workspace, target: scenario.target, options: options)
        #expect(stopped.outcome == "stopped on stale rows")
        #expect(stopped.stale.map(\.customerId) == ["0000100001"])
        #expect(try scenario.target.customerIds() == ["0000100001"])
        options.skipStale = true
        let skipped = try await CutoverStage.run(
            plan: "latest", workspace: scenario.workspace, target: scenario.target, options: options)
        #expect(skipped.outcome == "done")
        #expect(skipped.actionsApplied == (first.counts["insert"] ?? 0) - 1)
        // Corrupt the snapshot: refused, nothing restored.
        let snapshot = try #require(
            try FileManager.default.contentsOfDirectory(atPath: scenario.workspace.path + "/snapshots").first {
                $0.hasPrefix("plan-") && $0.hasSuffix(".sqlite")
            })
        let path = scenario.workspace.path + "/snapshots/" + snapshot
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var bytes = original
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect {
            try RollbackStage.run(
                plan: "latest", mode: .snapshot, workspace: scenario.workspace, target: scenario.target)
        } throws: {
            ($0 as? CustmigError)?.code == "ROLLBACK-SNAPSHOT-CORRUPT"
        }
        try original.write(to: URL(fileURLWithPath: path))
        let restored = try RollbackStage.run(
            plan: "latest", mode: .snapshot, workspace: scenario.workspace, target: scenario.target)
        #expect(restored.safetySnapshot != nil)
        #expect(
            try scenario.target.customerIds() == ["0000100001"], "the snapshot was taken when the stale row existed")
        #expect(pristine != (try Self.dump(scenario.targetPath)))
        // Restored to before the cutover, the plan has no batch applied: a second restore is refused.
        #expect {
            try RollbackStage.run(
                plan: "latest", mode: .snapshot, workspace: scenario.workspace, target: scenario.target)
        } throws: {
            ($0 as? CustmigError)?.code == "ROLLBACK-NOTHING-APPLIED"
        }
        // A newer plan supersedes the approved one: the old one cannot be cut over.
        try scenario.sql("UPDATE customer SET name1 = 'Renamed meanwhile' WHERE customer_id = '0000100001'")
        let second = try await scenario.dryRun()
        #expect(second.supersedes == first.plan)
        await #expect {
            try await CutoverStage.run(
                plan: String(first.plan), workspace: scenario.workspace, target: scenario.target, options: options)
        } throws: {
            ($0 as? CustmigError)?.code == "CUTOVER-SUPERSEDED"
        }
    }

    @Test("after a rollback drill by snapshot, every table equals its state before the cutover")
    func rollbackDrill() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        _ = try await scenario.dryRun()
        let before = try scenario.dump()
        _ = try await scenario.cutover()
        #expect(try scenario.dump() != before)
        _ = try RollbackStage.run(
            plan: "latest", mode: .snapshot, workspace: scenario.workspace, target: scenario.target)
        #expect(try scenario.dump() == before)
    }

    @Test("--batch-size at the cutover: the same rows in its own batches, kept for a resume, forgotten by a rollback")
    func cutoverBatchSize() throws {
        let byPlan = try Self.planned(rows: 600)
        let ownSize = try Self.planned(rows: 600)
        func cutover(
            _ scenario: (folder: String, workspace: String, target: String), _ extra: [String]
        ) throws -> CLI.Output {
            try CLI.run(
                [
                    "cutover", "latest", "--allow-unapproved", "--target", "sqlite:" + scenario.target, "--workspace",
                    scenario.workspace,
                ]
                    + extra)
        }
        #expect(try cutover(byPlan, []).status == 0)
        let run = try cutover(ownSize, ["--batch-size", "7"])
        #expect(run.status == 0, "\(run.stderr)")
        // The same business rows, loaded values and crosswalk; other checkpoints.
        #expect(try Self.dump(byPlan.target, bookkeeping: false) == Self.dump(ownSize.target, bookkeeping: false))
        let queue = try DatabaseQueue(path: ownSize.target)
        let (checkpoints, actions, layout) = try queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM custmig_checkpoint") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM custmig_undo") ?? 0,
                try String.fetchOne(db, sql: "SELECT value FROM custmig_meta WHERE key LIKE 'cutover_batches/%'")
            )
        }
        try queue.close()
        #expect(checkpoints == (actions + 6) / 7)
        #expect(layout == "7")
        // Rolled back halfway by hand (the last batches' checkpoints gone), a resume with another size is refused.
        let half = try DatabaseQueue(path: ownSize.target)
        try half.write { db in try db.execute(sql: "DELETE FROM custmig_checkpoint WHERE batch >= 10") }
        try half.close()
        // status reads the target's own checkpoints (authoritative) beside the ledger's mirror.
        let status = try CLI.run(["status", "--workspace", ownSize.workspace])
        #expect(
            status.stdout.contains(
                "cutover 10 of \(checkpoints) batches committed (the target's count; the ledger's mirror says \(checkpoints))"
            ),
            "\(status.stdout)")
        #expect(
            status.stdout.contains("a rerun of the cutover with --batch-size 7 continues at batch 11"),
            "\(status.stdout)")
        let other = try cutover(ownSize, ["--batch-size", "50"])
        #expect(other.status == ExitStatus.usage.rawValue)
        #expect(
            other.stderr.contains("[CUTOVER-BATCH-SIZE]") && other.stderr.contains("--batch-size 7"), "\(other.stderr)")
        // A surgical rollback forgets the layout: the plan can be cut over again in other batches.
        let rollback = try CLI.run(
            ["rollback", "latest", "--target", "sqlite:" + byPlan.target, "--workspace", byPlan.workspace])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        let rolledBack = try CLI.run(["status", "--workspace", byPlan.workspace])
        #expect(
            rolledBack.stdout.contains("cutover rolled back (surgical); a new cutover of the plan starts at batch 1"),
            "\(rolledBack.stdout)")
        #expect(try cutover(byPlan, ["--batch-size", "100"]).status == 0)
        #expect(try Self.dump(byPlan.target, bookkeeping: false) == Self.dump(ownSize.target, bookkeeping: false))
    }

    @Test(
        "purge after go-live removes the run's records, plan images, snapshots (rollback copies too) and undo log, and records it"
    )
    func purgeAfterGoLive() async throws {
        let scenario = try DryRunScenario()
        let map = try await scenario.map()
        _ = try await scenario.dryRun()
        let cutover = try await scenario.cutover()
        let snapshot = try #require(cutover.snapshot)
        #expect(try FileManager.default.attributesOfItem(atPath: snapshot)[.posixPermissions] as? Int == 0o600)
        // A snapshot rollback killed while copying the target aside left a partial copy; the next one
        // deletes it, and keeps its own finished copy.
        let folder = scenario.workspace.path + "/snapshots"
        try Data(repeating: 1, count: 4096).write(
            to: URL(fileURLWithPath: folder + "/before-rollback-plan-1-1.sqlite.partial"))
        let rollback = try RollbackStage.run(
            plan: "latest", mode: .snapshot, workspace: scenario.workspace, target: scenario.target)
        let safety = try #require(rollback.safetySnapshot)
        #expect(FileManager.default.fileExists(atPath: safety))
        #expect(!FileManager.default.fileExists(atPath: folder + "/before-rollback-plan-1-1.sqlite.partial"))
        let afterRollback = try WorkspaceStatus.read(scenario.workspace).plans.first?.cutover ?? ""
        #expect(afterRollback.hasPrefix("cutover rolled back (snapshot)"), "\(afterRollback)")
        _ = try await scenario.cutover()
        // A cutover stopped halfway keeps its run from being purged (it could not resume without the images).
        let mirror = try scenario.workspace.ledger.database.read { db in
            try Row.fetchOne(db, sql: "SELECT committed, outcome FROM cutover_progress")
        }
        try await scenario.workspace.ledger.database.write { db in
            try db.execute(sql: "UPDATE cutover_progress SET committed = 0, outcome = 'running'")
        }
        #expect {
            try PurgeStage.run(
                runs: [map.run], before: nil, workspace: scenario.workspace, target: scenario.target, command: "test")
        } throws: { error in
            let error = error as? CustmigError
            return error?.code == "PURGE-CUTOVER-OPEN" && error?.fix?.contains("custmig rollback 1") == true
        }
        #expect(
            try await scenario.workspace.ledger.database.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM canonical_record")
            } == map.read - map.malformed)
        let (committed, outcome) = (mirror?["committed"] as Int?, mirror?["outcome"] as String?)
        try await scenario.workspace.ledger.database.write { db in
            try db.execute(
                sql: "UPDATE cutover_progress SET committed = ?, outcome = ?", arguments: [committed, outcome])
        }
        let undoBefore = try await scenario.target.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM custmig_undo") ?? 0
        }
        #expect(undoBefore > 0)
        let summary = try PurgeStage.run(
            runs: [map.run], before: nil, workspace: scenario.workspace, target: scenario.target, command: "test")
        #expect(summary.canonicalRecords == map.read - map.malformed)
        #expect(summary.undoEntries == undoBefore)
        #expect(Set(summary.snapshots) == [snapshot, safety])
        #expect(!FileManager.default.fileExists(atPath: snapshot) && !FileManager.default.fileExists(atPath: safety))
        let (records, images, purges) = try await scenario.workspace.ledger.database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM canonical_record") ?? -1,
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM plan_action WHERE image IS NOT NULL OR before_image IS NOT NULL")
                    ?? -1,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM purge WHERE run_id = ?", arguments: [map.run]) ?? -1
            )
        }
        #expect(records == 0 && images == 0 && purges == 1)
    }

    @Test(
        "a dry run killed at random moments, then run again: the plan an uninterrupted dry run makes, and every later one works"
    )
    func dryRunCrash() throws {
        let setup = try Self.planned(rows: 2_000)
        func plans() throws -> [String] {
            let ledger = try DatabaseQueue(path: setup.workspace + "/ledger.sqlite")
            defer { try? ledger.close() }
            return try ledger.read { db in
                try Row.fetchAll(db, sql: "SELECT status, content_hash, summary IS NOT NULL AS summarized FROM plan")
                    .map {
                        "\($0["status"] as String) \($0["content_hash"] as String? ?? "") \($0["summarized"] as Bool)"
                    }
            }
        }
        let hash = String(try plans().first?.split(separator: " ")[1] ?? "")
        #expect(!hash.isEmpty)
        // Each attempt plans afresh against the same target (the first plan stays current and equal).
        let arguments = [
            "dry-run", "--target", "sqlite:" + setup.target, "--workspace", setup.workspace, "--batch-size", "50",
        ]
        let kills = try KillLoop.run(arguments, attempts: 40, delays: 20_000...900_000, maxKills: 15)
        let final = try CLI.run(arguments)
        #expect(final.status == 0, "\(final.stderr)")
        #expect(final.stdout.contains(hash), "\(final.stdout)")
        #expect(try plans() == ["current \(hash) true"], "\(kills) kills, seed \(KillLoop.seed)")
    }

}

@Suite("The crosswalk export", .serialized)
struct CrosswalkExportTests {
    @Test(
        "every legacy key of a loaded customer once, merged duplicates at their survivor's target customer, read in one pass"
    )
    func mergedDuplicates() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        let duplicates = try await DuplicatesStage.run(workspace: scenario.workspace, mapRun: nil, command: "test")
        #expect(duplicates.mergedAway > 0)
        _ = try await scenario.dryRun()
        _ = try await scenario.cutover()
        let path = scenario.folder + "/crosswalk.csv"
        let written = try CrosswalkExport.write(workspace: scenario.workspace, target: scenario.target, to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        #expect(lines.count == written)
        let legacyKeys = lines.map { $0[0] }
        #expect(Set(legacyKeys).count == legacyKeys.count, "a legacy key twice")
        let merged: [(String, String)] = try await scenario.workspace.ledger.database.read { db in
            try Row.fetchAll(db, sql: "SELECT legacy_key, golden_key FROM key_map WHERE legacy_key != golden_key")
                .map { ($0[0] as String, $0[1] as String) }
        }
        let customerOf = Dictionary(lines.map { ($0[1], $0[2]) }, uniquingKeysWith: { first, _ in first })
        let byLegacy = Dictionary(lines.map { ($0[0], $0) }, uniquingKeysWith: { first, _ in first })
        var checked = 0
        for (legacy, golden) in merged {
            guard let survivorCustomer = customerOf[golden] else { continue }
            #expect(byLegacy[legacy]?[2] == survivorCustomer, "\(legacy) merged into \(golden)")
            checked += 1
        }
        #expect(checked > 0)
        let crosswalked = try await scenario.target.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM custmig_crosswalk") ?? 0
        }
        #expect(Set(lines.map { $0[1] }).count == crosswalked)
    }
}
