import CustmigCore
import Foundation
import Testing

/// The same scenarios against every kind of target, through the command line as a migration team runs
/// them: a target passes by implementing the seam, not by being special-cased in a stage.
@Suite("Target conformance", .serialized)
struct TargetConformanceTests {
    /// A folder with a workspace, a new target of `kind`, and the sample extract (edited by `edit`).
    struct Drill {
        let kind: TargetKind
        let folder: String
        let workspace: String
        let target: String

        init(_ kind: TargetKind) throws {
            self.kind = kind
            folder = try Paths.scratch()
            workspace = folder + "/w"
            target = try kind.newLocation(in: folder)
            let created = try CLI.run(["target", "init", target, "--codes", Paths.samples("target-codes.csv")])
            #expect(created.status == 0, "\(created.stderr)")
        }

        /// Maps the sample extract after `edit`, then plans against the target.
        @discardableResult
        func plan(_ edit: (String) -> String = { $0 }) throws -> String {
            let original = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
            let path = folder + "/customers-\(UUID().uuidString.prefix(8)).csv"
            try edit(original).write(toFile: path, atomically: true, encoding: .windowsCP1252)
            let mapped = try run([
                "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), path, "--workspace", workspace,
            ])
            #expect(mapped.status == 0 || mapped.status == 3, "\(mapped.stderr)")
            let planned = try run(["dry-run", "--target", target, "--workspace", workspace, "--batch-size", "7"])
            #expect(planned.status == 0, "\(planned.stderr)")
            return planned.stdout
        }

        /// Maps `rows` generated customers and plans them in batches of `batchSize`.
        func planGenerated(rows: Int, seed: UInt64, batchSize: Int) throws {
            _ = try SampleGenerator(options: SampleOptions(rows: rows, seed: seed, formats: [.csv])).write(to: folder)
            let mapped = try run([
                "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), folder + "/customers.csv",
                "--workspace", workspace,
            ])
            #expect(mapped.status == 0, "\(mapped.stderr)")
            let planned = try run([
                "dry-run", "--target", target, "--workspace", workspace, "--batch-size", String(batchSize),
            ])
            #expect(planned.status == 0, "\(planned.stderr)")
        }

        func cutover() throws -> String {
            let result = try run(["cutover", "latest", "--workspace", workspace, "--allow-unapproved"])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            return result.stdout
        }

        func run(
            _ arguments: [String], environment: [String: String] = [:]
        ) throws -> (status: Int32, stdout: String, stderr: String) {
            let result = try CLI.run(arguments, environment: environment)
            return (result.status, result.stdout, result.stderr)
        }

        func dump(except: Set<String> = []) throws -> String { try kind.dump(target, except: except) }

        /// The dump without times of day (when a batch committed differs between two runs).
        func dumpWithoutTimes(except: Set<String> = []) throws -> String {
            try dump(except: except).replacingOccurrences(
                of: "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", with: "TIME", options: .regularExpression)
        }
    }

    /// The first half of the sample's customers (header and lines before the middle).
    static func firstHalf(_ text: String) -> String {
        let lines = text.components(separatedBy: "\r\n")
        return lines.prefix(1 + (lines.count - 1) / 2).joined(separator: "\r\n")
    }

    @Test(
        "first load, reconcile, crosswalk export, then a delta wave: a target edit is kept, a rival change is a conflict",
        arguments: TargetKind.available)
    func firstLoadAndDelta(kind: TargetKind) throws {
        let drill = try Drill(kind)
        let planned = try drill.plan()
        #expect(planned.contains("insert"), "\(planned)")
        let first = try drill.cutover()
        #expect(first.contains(": matches"), "the cutover reconciles: \(first)")
        #expect(
            try drill.run(["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"]).stdout.contains(
                "already applied"))
        let exported = try drill.run([
            "crosswalk", "export", "--workspace", drill.workspace, "--out", drill.folder + "/crosswalk.csv",
        ])
        #expect(exported.status == 0, "\(exported.stderr)")
        let crosswalk = try String(contentsOfFile: drill.folder + "/crosswalk.csv", encoding: .utf8)
        #expect(crosswalk.contains("100001,0000100001,0000100001,inserted"), "\(crosswalk.prefix(300))")
        // Someone edits two customers in the ERP: one field custmig does not change (kept), one it does (conflict).
        try kind.sql("UPDATE customer SET search_term = 'HAND' WHERE customer_id = '0000100004'", at: drill.target)
        try kind.sql("UPDATE customer SET name1 = 'Finbe by hand' WHERE customer_id = '0000100001'", at: drill.target)
        let afterEdits = try drill.dump(except: ["custmig_snapshot"])
        let delta = try drill.plan { text in
            text.replacingLine("100001") { $0.field(1, "Finbe Automotive AG") }
                .replacingLine("100002") { $0.field(2, "Zweigniederlassung") }
                .replacingLine("100005") { _ in nil }
        }
        #expect(delta.contains("conflict           1"), "100001 changed on both sides: \(delta)")
        #expect(delta.contains("deactivate         1"), "\(delta)")
        #expect(delta.contains("update             1"), "\(delta)")
        _ = try drill.cutover()
        let show = try drill.run(["crosswalk", "show", "0000100004", "--workspace", drill.workspace, "--json"])
        #expect(show.stdout.contains("edited in the target since"), "the hand edit is kept: \(show.stdout)")
        let rolledBack = try drill.run(["rollback", "latest", "--workspace", drill.workspace])
        #expect(rolledBack.status == 0, "\(rolledBack.stderr)")
        #expect(rolledBack.stdout.contains("0 customers deleted, 2 restored, 0 kept"), "\(rolledBack.stdout)")
        #expect(try drill.dump(except: ["custmig_snapshot"]) == afterEdits, "the wave is undone, the hand edits stay")
    }

    @Test(
        "rollback drill: wave 1 half the customers, wave 2 all, reconcile, snapshot rollback: every table as after wave 1",
        arguments: TargetKind.available)
    func snapshotDrill(kind: TargetKind) throws {
        let drill = try Drill(kind)
        try drill.plan(Self.firstHalf)
        _ = try drill.cutover()
        let afterWave1 = try drill.dump()
        let wave2 = try drill.plan()
        #expect(wave2.contains("unchanged"), "\(wave2)")
        let applied = try drill.cutover()
        #expect(applied.contains(": matches"), "\(applied)")
        let afterWave2 = try drill.dump()
        #expect(afterWave2 != afterWave1)
        // Ctrl-C once the target is copied aside: nothing restored, the copy gone, the same command goes on.
        let rollback = ["rollback", "latest", "--workspace", drill.workspace, "--mode", "snapshot"]
        let stopped = try drill.run(rollback, environment: ["CUSTMIG_FAULT": "rollback.safety-copied:1:interrupt"])
        #expect(stopped.status == 130, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("the target is unchanged, no row was restored"), "\(stopped.stderr)")
        #expect(try drill.dump() == afterWave2)
        #expect(try Self.snapshotsLeft(drill).filter { $0.contains("rollback") }.isEmpty, "no copy aside is left")
        let restored = try drill.run(rollback)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(try drill.dump() == afterWave1)
        // After go-live, a purge removes every copy of the customers' data: snapshots and safety copies too.
        let purged = try drill.run([
            "purge", "--run", "1", "--run", "2", "--target", drill.target, "--workspace", drill.workspace,
        ])
        #expect(purged.status == 0, "\(purged.stderr)")
        let left = try Self.snapshotsLeft(drill)
        #expect(left.isEmpty, "\(left) \(purged.stdout)")
    }

    /// Snapshot files in the workspace, or snapshot schemas beside the target's.
    static func snapshotsLeft(_ drill: Drill) throws -> [String] {
        switch try TargetLocation(parsing: drill.target) {
        case .postgresql(let location):
            return try TargetKind.psql(
                location, "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, '\(location.schema)_snap_')"
            ).split(separator: "\n").map(String.init)
        default:
            return (try? FileManager.default.contentsOfDirectory(atPath: drill.workspace + "/snapshots")) ?? []
        }
    }

    @Test(
        "a rehearsal leaves the target as it was and names what the target refuses, by kind",
        arguments: TargetKind.available)
    func rehearsalRefusals(kind: TargetKind) throws {
        let drill = try Drill(kind)
        let before = try drill.dump()
        // A target that lacks a code the plan uses: the rehearsal finds it, the plan rejects the customer.
        try kind.sql("DELETE FROM code_incoterms WHERE code = 'FCA'", at: drill.target)
        let emptied = try drill.dump()
        #expect(emptied != before)
        try drill.plan { $0.replacingLine("100004") { $0.field(23, "FCA") } }
        #expect(try drill.dump() == emptied, "the dry run changed nothing")
        let plan = try String(contentsOfFile: drill.workspace + "/reports/plan-1/plan.csv", encoding: .utf8)
        #expect(plan.contains("0000100004"), "\(plan.prefix(400))")
    }

    @Test(
        "killed at 20+ random moments, resumed: the same target as an uninterrupted cutover",
        arguments: TargetKind.available)
    func killedCutover(kind: TargetKind) throws {
        let drill = try Drill(kind)
        try drill.planGenerated(rows: 3_000, seed: 29, batchSize: 40)
        let planned = try drill.dump(except: ["custmig_snapshot"])
        let arguments = ["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"]
        _ = try drill.cutover()
        let reference = try drill.dumpWithoutTimes(except: ["custmig_snapshot"])
        var kills = 0
        // A round ends when a run outlives its random delay; rounds until 20 kills landed (a faster cutover
        // outlives more delays: 6 rounds once gave 19).
        for _ in 0..<15 where kills < 20 {
            let back = try drill.run(["rollback", "latest", "--workspace", drill.workspace])
            #expect(back.status == 0, "\(back.stderr)")
            #expect(try drill.dump(except: ["custmig_snapshot"]) == planned)
            kills += try KillLoop.run(arguments, attempts: 40, delays: 30_000...400_000)
            let final = try drill.run(arguments)
            #expect(final.status == 0, "\(final.stderr)")
        }
        #expect(
            try drill.dumpWithoutTimes(except: ["custmig_snapshot"]) == reference,
            "\(kills) kills, seed \(KillLoop.seed)")
    }

    @Test(
        "a surgical rollback killed at random moments, resumed: every table as before the cutover",
        arguments: TargetKind.available)
    func killedRollback(kind: TargetKind) throws {
        let drill = try Drill(kind)
        try drill.planGenerated(rows: 2_000, seed: 37, batchSize: 25)
        let planned = try drill.dump(except: ["custmig_snapshot"])
        let arguments = ["rollback", "latest", "--workspace", drill.workspace]
        // Rounds of cutover, then a rollback killed and resumed, until enough kills landed (a fast
        // rollback may end before a late one).
        var kills = 0
        for _ in 0..<8 where kills < 3 {
            _ = try drill.cutover()
            kills += try KillLoop.run(arguments, attempts: 40, delays: 5_000...150_000)
            let final = try drill.run(arguments)
            #expect(final.status == 0, "\(final.stderr)")
            #expect(try drill.dump(except: ["custmig_snapshot"]) == planned, "\(kills) kills, seed \(KillLoop.seed)")
        }
        #expect(try drill.run(arguments).stdout.contains("nothing left to undo"))
    }

    @Test(
        "a row changed in the target after the plan stops its batch unapplied, or is skipped and reported",
        arguments: TargetKind.available)
    func staleRows(kind: TargetKind) throws {
        let drill = try Drill(kind)
        try drill.plan()
        _ = try drill.cutover()
        try drill.plan { $0.replacingLine("100002") { $0.field(2, "Zweigniederlassung") } }
        try kind.sql(
            "UPDATE customer SET search_term = 'AFTER THE PLAN' WHERE customer_id = '0000100002'", at: drill.target)
        let before = try drill.dump(except: ["custmig_snapshot", "custmig_meta"])
        let stopped = try drill.run(["cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved"])
        #expect(stopped.status == 4, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("0000100002") && stopped.stderr.contains("CUTOVER-STALE"), "\(stopped.stdout)")
        #expect(
            try drill.dump(except: ["custmig_snapshot", "custmig_meta"]) == before, "nothing of the batch was applied")
        let skipped = try drill.run([
            "cutover", "latest", "--workspace", drill.workspace, "--allow-unapproved", "--skip-stale",
        ])
        // Applied around the row, which the closing reconciliation then reports (exit 3: a mismatch).
        #expect(skipped.status == 3, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("stale: 0000100002"), "\(skipped.stdout)")
        #expect(try drill.dump().contains("AFTER THE PLAN"), "the edited row is left alone")
    }
}
