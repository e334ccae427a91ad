import Crypto
import Foundation
import GRDB

/// `custmig dry-run`: plans what a cutover would do to each customer — three-way, against the target
/// as it is now — replays the plan's batches on the target inside one transaction that it rolls back
/// (or, for a plan that writes more than the target holds, on a scratch copy of the target), stores the
/// plan in the ledger with a content hash, and writes the diff report.
///
/// The target is never changed: every write of the replay is rolled back (the tests compare the
/// target file's bytes before and after). A dry run with the same inputs against an unchanged target
/// finds the same plan (same hash) and keeps it, approval included.
public enum DryRunStage {
    /// What an interrupted dry run says to do next.
    static func resumeHint(_ options: DryRunOptions) -> String {
        "run `\(options.command)` again; it plans from the start."
    }

    public static func run(
        workspace: Workspace, target: any Target, options: DryRunOptions
    ) async throws -> PlanSummary {
        let started = Date()
        let ledger = workspace.ledger
        var inputs = try Inputs.load(ledger: ledger, options: options)
        let (settings, resolutions) = (inputs.settings, inputs.resolutions)
        let plan = try startPlan(workspace: workspace, target: target, inputs: inputs, options: options)
        let digest = PlanDigest(header: try inputs.hashHeader(target: target, ledger: ledger))
        var outcome: Planner.Outcome
        let refusedBeside: [RefusedAction]?
        do {
            // The planner (and the customers' keys and references it holds) ends here: the reports
            // after it read the plan from the ledger, and a 1M first load peaked there.
            let planner = try Planner(
                set: inputs.set, settings: settings, resolutions: resolutions, target: target, ledger: ledger,
                matcher: options.matcher)
            // A first load is rehearsed on a copy of the target beside its planning, batch by batch as the
            // plan closes them; any other plan after planning (in place unless it writes more than the target holds).
            let beside =
                target.capabilities.contains(.rehearsal)
                    && options.rehearsal.onCopy(writes: planner.expectedInserts, targetBytes: target.sizeInBytes)
                ? try target.rehearsalCopy(in: workspace.path).map {
                    // About 8,000 customers' images wait at most, whatever the batch size.
                    BesideRehearsal(copy: $0, window: max(1, 8_000 / settings.batchSize), progress: options.progress)
                } : nil
            let refused: [RefusedAction]
            (outcome, refused) = try await planner.plan(
                into: plan, ledger: ledger, digest: digest, rehearsal: beside, progress: options.progress,
                resume: resumeHint(options))
            refusedBeside = beside == nil ? nil : refused
        }
        inputs.set.members = []
        inputs.set.notLoaded = []
        // The pages planning read stay cached otherwise, beside what the rehearsal and the reports allocate
        // (a 1M delta dry run peaked at ~600 MB in its rehearsal).
        target.releaseMemory()
        ledger.database.releaseMemory()
        // The target's totals before the plan, read on a second connection while an in-place replay runs
        // on the first (WAL: the reader sees the committed target, never the replay's writes); a target
        // whose reads are calls adds only the customers the planner did not read.
        let reader = try target.controlTotalsReader()
        async let totals = reader()
        if let refusedBeside {
            try recordRefusals(refusedBeside, plan: plan, ledger: ledger)
            outcome.refused = refusedBeside.count
        } else {
            outcome.refused = try await rehearse(
                plan: plan, ledger: ledger, target: target,
                onCopy: options.rehearsal.onCopy(
                    writes: outcome.writes, targetBytes: target.sizeInBytes), scratch: workspace.path,
                progress: options.progress, resume: resumeHint(options))
        }
        try Interruption.check(
            kept: "nothing (the plan being built is discarded; the target was not changed)",
            resume: resumeHint(options))
        FaultPoint.reach("dry-run.rehearsed")
        options.progress?(StageProgress("writing the plan and its reports", done: 0, total: nil, unit: .steps))
        // The rehearsal turned refused rows into rejects: the digest taken while writing is out of date.
        let sealed =
            outcome.refused > 0
            ? try await PlanStore.digest(plan: plan, header: digest.headerText, ledger: ledger) : digest
        var summary = try PlanStore.seal(
            plan: plan, outcome: outcome, digest: sealed, before: try await totals, set: inputs.set,
            settings: settings, target: target, workspace: workspace, started: started)
        // A plan found unchanged has its reports written again with this run's options (e.g. --mask-pii).
        summary.reports = try await PlanReport.write(
            plan: summary.plan, summary: summary, ledger: ledger,
            folder: try workspace.reportFolder(plan: summary.plan), workspace: workspace.path, options: options)
        summary.elapsedSeconds = Date().timeIntervalSince(started)
        if summary.outcome != "unchanged" { try PlanStore.reported(summary, ledger: ledger) }
        return summary
    }

    /// Starts a plan being built, after discarding what a dry run killed midway left: its plan, worthless,
    /// and perhaps the scratch copy of its rehearsal (this process holds the workspace lock).
    static func startPlan(
        workspace: Workspace, target: any Target, inputs: Inputs, options: DryRunOptions
    ) throws -> Int64 {
        let ledger = workspace.ledger
        try ledger.database.write { db in try PlanStore.discardUnfinishedPlans(db: db) }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: workspace.path)) ?? []
        where name.hasPrefix("rehearsal-") {
            try? FileManager.default.removeItem(atPath: workspace.path + "/" + name)
        }
        // A target whose reads are calls counts its totals from the planner's reads (see `run`).
        _ = target.tallyReads()
        return try ledger.database.write { db -> Int64 in
            try PlanStore.startPlan(
                StoredPlan(
                    status: "building", target: target.location.description, targetInstance: target.instance,
                    mapRun: inputs.set.mapRun, duplicatesRun: inputs.set.duplicatesRun,
                    batchSize: inputs.settings.batchSize, command: options.command, createdAt: Date(),
                    custmigVersion: CustmigVersion.current), db: db)
        }
    }

    /// What a dry run plans from: the map run's customers, the mapping's load settings (batch size
    /// overridden by the options) and the conflict resolutions beside the mapping or named by the options.
    struct Inputs {
        var set: CustomerSet
        let settings: LoadSettings
        let resolutions: ConflictResolutions

        static func load(ledger: Ledger, options: DryRunOptions) throws -> Inputs {
            let set = try CustomerSet.load(ledger: ledger, mapRun: options.mapRun)
            var settings = try MappingLoader.loadSettings(set.mappingText, file: set.mappingFile ?? "the mapping")
            if let size = options.batchSize { settings.batchSize = size }
            let resolutionsPath =
                options.resolutionsFile
                ?? set.mappingFile.map {
                    let folder = ($0 as NSString).deletingLastPathComponent
                    return (folder.isEmpty ? "." : folder) + "/conflict-resolutions.csv"
                }
            let resolutions =
                try resolutionsPath.map { try ConflictResolutions.read(path: $0) } ?? ConflictResolutions()
            return Inputs(set: set, settings: settings, resolutions: resolutions)
        }

        /// The plan hash's header: everything besides the rows that makes two plans the same plan.
        func hashHeader(target: any Target, ledger: Ledger) throws -> String {
            let duplicatesKey =
                try set.duplicatesRun.flatMap { run in
                    try ledger.database.read { db in
                        try RunStore.run(run, db: db)?.inputsKey
                    }
                } ?? ""
            return [
                "custmig.plan/1", set.mapInputsKey, duplicatesKey, settings.numbering.description,
                String(settings.batchSize),
                "\(settings.maxDeactivations)", settings.targetOwned.sorted().joined(separator: ","),
                resolutions.digest, target.instance, "workspace:" + (try ledger.workspaceId()),
            ].joined(separator: "|")
        }
    }

    /// Replays the plan's batches on the target (savepoint per batch, everything rolled back) and
    /// turns what the target refused into rejects.
    static func rehearse(
        plan: Int64, ledger: Ledger, target: any Target, onCopy: Bool, scratch: String,
        progress: ProgressHandler? = nil, resume: String = ""
    ) async throws -> Int {
        let batchCount = try await ledger.database.read { db in try PlanStore.batchCount(plan: plan, db: db) }
        guard batchCount > 0, target.capabilities.contains(.rehearsal) else { return 0 }
        let rehearsal = try target.rehearsal(copyFolder: onCopy ? scratch : nil)
        // Stopping or failing rolls the rehearsal back.
        defer { rehearsal.close() }
        // The next batch is read (its inserts rebuilt from their records) on a child task while this one
        // is replayed; the first batch has no replay beside it to share the cores with, so its images are
        // made on all of them.
        var refused: [RefusedAction] = []
        let database = ledger.database
        let stop = {
            try Interruption.check(
                kept:
                    "nothing (the rehearsal is rolled back, the plan being built discarded; the target was not changed)",
                resume: resume)
        }
        progress?(StageProgress("rehearsing on the target", done: 0, total: Int64(batchCount), unit: .batches))
        // Handed on, not kept: held for the whole rehearsal, the first batch's actions were a third
        // batch in memory beside the one replayed and the one read ahead (the 1M delta's peak).
        var first: [TargetAction]? = try await PlanStore.targetActionsOnEveryCore(
            plan: plan, batch: 0, database: database)
        var next = 0
        try await ReadAhead.forEach(read: { () throws -> (batch: Int, actions: [TargetAction])? in
            guard next < batchCount else { return nil }
            defer { next += 1 }
            if let actions = first.take() { return (next, actions) }
            return (next, try PlanStore.targetActions(plan: plan, batch: next, database: database))
        }) { batch, actions in
            try stop()
            progress?(
                StageProgress("rehearsing on the target", done: Int64(batch), total: Int64(batchCount), unit: .batches))
            refused += try rehearsal.replay(batch: batch, actions: actions)
        }
        try recordRefusals(refused, plan: plan, ledger: ledger)
        return refused.count
    }

    /// Turns what the target refused in the rehearsal into rejects, each with the reason a reader can act on.
    static func recordRefusals(_ refused: [RefusedAction], plan: Int64, ledger: Ledger) throws {
        guard !refused.isEmpty else { return }
        let refusedIds = Set(refused.map(\.customerId))
        try ledger.database.write { db in
            for refusal in refused {
                var reason = "the target refuses it in batch \(refusal.batch + 1): \(refusal.message)"
                if refusal.kind == .constraint, let column = refusal.field {
                    // "CHECK constraint failed: credit_limit IS NULL OR (…)": name the field for the reader.
                    reason += " (the target's rule for \(column); see the customer's \(column) in this plan)"
                }
                if refusal.kind == .reference {
                    // Name the refused customers it refers to, if that is why (else a code or a customer
                    // the target lacks).
                    let image =
                        try PlanRecords.image(
                            plan: plan, canonicalKey: refusal.canonicalKey, batch: refusal.batch, db: db)?.values ?? [:]
                    let referred = Set(
                        image.filter { $0.key == "parent_id" || $0.key.hasSuffix("].partner_id") }.values
                    ).intersection(refusedIds).subtracting([refusal.customerId]).sorted()
                    reason +=
                        referred.isEmpty
                        ? " (a code, or a customer it refers to, that the target does not have)"
                        : " (it refers to customer \(referred.joined(separator: ", ")), which the target refuses too)"
                }
                try PlanStore.reject(
                    plan: plan, canonicalKey: refusal.canonicalKey, batch: refusal.batch, reason: reason, db: db)
            }
        }
    }
}
