import Foundation
import GRDB

/// Sealing a plan with its content hash, superseding the previous plan for the same target (or keeping
/// it when nothing changed), and reading a plan's digest back.
extension PlanStore {
    static func finish(
        plan: Int64, outcome: Planner.Outcome, digest: PlanDigest, before: ControlTotals, set: CustomerSet,
        settings: LoadSettings, target: any Target, workspace: Workspace, options: DryRunOptions, started: Date
    ) throws -> PlanSummary {
        let ledger = workspace.ledger
        // The rehearsal turned refused rows into rejects: the digest taken while writing is out of date.
        let digest =
            outcome.refused > 0 ? try Self.digest(plan: plan, header: digest.headerText, ledger: ledger) : digest
        var after = before
        after.add(digest.totalsChange)
        let counts = digest.counts
        let hash = digest.hash
        let previous = try ledger.database.read { db in
            try Row.fetchOne(
                db,
                sql:
                    "SELECT id, content_hash, summary FROM plan WHERE status = 'current' AND target_instance = ? AND id != ? ORDER BY id DESC LIMIT 1",
                arguments: [target.instance, plan])
        }
        if let previous, previous["content_hash"] as String? == hash {
            try ledger.database.write { db in try db.execute(sql: "DELETE FROM plan WHERE id = ?", arguments: [plan]) }
            var summary = try summary(plan: previous["id"], ledger: ledger)
            summary.outcome = "unchanged"
            summary.unfinishedDuplicatesRun = set.unfinishedDuplicatesRun
            // The same plan; its reports are written again with this run's options (e.g. --mask-pii).
            summary.reports = try PlanReport.write(
                plan: summary.plan, summary: summary, ledger: ledger,
                folder: try workspace.reportFolder(plan: summary.plan), workspace: workspace.path, options: options)
            summary.elapsedSeconds = Date().timeIntervalSince(started)
            return summary
        }
        var summary = PlanSummary(
            plan: plan, contentHash: hash, outcome: "new", target: target.location.description, mapRun: set.mapRun,
            duplicatesRun: set.duplicatesRun, numbering: settings.numbering.description, batchSize: settings.batchSize,
            batches: outcome.batches, counts: counts, before: before, after: after, fieldChanges: outcome.fieldChanges,
            fieldsFilled: outcome.fieldsFilled,
            keptTargetChanges: outcome.keptTarget, refusedInRehearsal: outcome.refused,
            deactivationCap: outcome.deactivationCap,
            deactivationGateFailed: outcome.gateFailed, supersedes: nil, actionChanges: [], actionChangeCount: 0,
            previousCounts: nil, approvedBy: nil, reports: [], elapsedSeconds: 0)
        summary.rehearsed = target.capabilities.contains(.rehearsal)
        summary.notLoaded = outcome.notLoaded.isEmpty ? nil : outcome.notLoaded
        try ledger.database.write { db in
            // Numbers no plan holds (dry runs that found the same plan as before, or did not finish), so
            // that the summary can say why plan 5 follows plan 1.
            let lastBefore =
                try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM plan WHERE id < ?", arguments: [plan]) ?? 0
            if plan - lastBefore > 1 { summary.unusedNumbers = (lastBefore + 1)...(plan - 1) }
            summary.unfinishedDuplicatesRun = set.unfinishedDuplicatesRun
            // A plan that was cut over is history, not a draft this one revises: no action diff against it.
            let applied =
                try previous.map {
                    try LoadJournal.progress(plan: $0["id"], db: db)?.outcome == "done"
                } ?? false
            if let previous {
                try db.execute(
                    sql: "UPDATE plan SET status = 'superseded', superseded_by = ? WHERE id = ?",
                    arguments: [plan, previous["id"]])
            }
            if let previous, !applied {
                let old: Int64 = previous["id"]
                summary.supersedes = old
                summary.previousCounts =
                    (previous["summary"] as String?)
                    .flatMap { try? JSONDecoder().decode(PlanSummary.self, from: Data($0.utf8)) }?.counts
                let changed = """
                    SELECT n.canonical_key, o.action AS before, n.action AS after FROM plan_action n
                    LEFT JOIN plan_action o ON o.plan_id = ? AND o.canonical_key = n.canonical_key AND IFNULL(o.apply_kind, '') != 'references'
                    WHERE n.plan_id = ? AND IFNULL(n.apply_kind, '') != 'references' AND (o.action IS NULL OR o.action != n.action)
                    """
                summary.actionChangeCount =
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(changed))", arguments: [old, plan]) ?? 0
                summary.actionChanges = try Row.fetchAll(
                    db, sql: changed + " ORDER BY n.seq LIMIT 20", arguments: [old, plan]
                ).map {
                    "\($0["canonical_key"] as String): \($0["before"] as String? ?? "(not in the plan)") -> \($0["after"] as String)"
                }
            }
            // Current and summarized in one transaction: a dry run killed after it leaves a plan that
            // reads back whole (only the report files may be missing; the next dry run rewrites them).
            summary.elapsedSeconds = Date().timeIntervalSince(started)
            try db.execute(
                sql: "UPDATE plan SET status = 'current', content_hash = ?, summary = ? WHERE id = ?",
                arguments: [hash, String(decoding: try JSONEncoder().encode(summary), as: UTF8.self), plan])
            FaultPoint.reach("dry-run.inside-seal")
        }
        FaultPoint.reach("dry-run.sealed")
        summary.reports = try PlanReport.write(
            plan: plan, summary: summary, ledger: ledger, folder: try workspace.reportFolder(plan: plan),
            workspace: workspace.path, options: options)
        FaultPoint.reach("dry-run.reported")
        summary.elapsedSeconds = Date().timeIntervalSince(started)
        try ledger.database.write { db in
            try db.execute(
                sql: "UPDATE plan SET summary = ? WHERE id = ?",
                arguments: [String(decoding: try JSONEncoder().encode(summary), as: UTF8.self), plan])
        }
        ledger.truncateLog()
        return summary
    }
}

extension PlanStore {
    /// A plan's digest read back from the ledger, row by row in plan order.
    static func digest(plan: Int64, header: String, ledger: Ledger) throws -> PlanDigest {
        let digest = PlanDigest(header: header)
        try ledger.database.read { db in
            let records = try PlanRecords(plan: plan, db: db)
            var rebuild: [PlanRecords.Wanted] = []
            func flush() throws {
                for image in try records.images(rebuild, db: db).values { digest.change(before: nil, after: image) }
                rebuild.removeAll(keepingCapacity: true)
            }
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT seq, batch, canonical_key, customer_id, action, apply_kind, reason, fingerprint, expect_absent,
                    before_image, image, changes, image_fingerprint, record_ref, record_refs, legacy_key
                    FROM plan_action WHERE plan_id = ? ORDER BY seq
                    """, arguments: [plan])
            while let row = try cursor.next() {
                let kind: String? = row["apply_kind"]
                var columns = (0..<12).map { PlanDigest.HashedValue((row[$0] as DatabaseValue).storage) }
                let wanted = PlanRecords.wanted(row)
                let byChanges = row["record_ref"] as String? == ChangedImage.marker
                if wanted != nil || byChanges {
                    columns[10] = .image(nil, referenceFingerprint: row["image_fingerprint"])
                }
                digest.add(columns, applyKind: kind, action: row["action"])
                if row["batch"] as Int? != nil, kind != TargetAction.Kind.references.rawValue {
                    if let wanted {
                        rebuild.append(wanted)
                        if rebuild.count == 2_000 { try flush() }
                    } else if byChanges {
                        let before = (row["before_image"] as String?).flatMap { CustomerImage(json: $0) }
                        digest.change(
                            before: before,
                            after: try ChangedImage.image(
                                before: before, changes: row["changes"], fingerprint: row["image_fingerprint"],
                                key: row["canonical_key"], plan: plan))
                    } else {
                        digest.change(
                            before: (row["before_image"] as String?).flatMap { CustomerImage(json: $0) },
                            after: (row["image"] as String?).flatMap { CustomerImage(json: $0) })
                    }
                }
            }
            try flush()
        }
        return digest
    }
}

extension PlanDigest.HashedValue {
    /// A stored column (plan columns hold no reals or blobs; were one there, it is hashed as its text).
    init(_ storage: DatabaseValue.Storage) {
        switch storage {
        case .null: self = .null
        case .int64(let number): self = .int(Int(number))
        case .double(let number): self = .text(number.description)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .text(data.base64EncodedString())
        }
    }
}
