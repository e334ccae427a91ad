import Foundation
import GRDB

/// Sealing a plan with its content hash, superseding the previous plan for the same target (or keeping
/// it when nothing changed), and reading a plan's digest back.
extension PlanStore {
    /// Seals the plan built (its hash, summary and status `current`), or finds it the same as the current
    /// plan for the target, which it keeps (outcome `unchanged`); the caller writes the reports then
    /// (``reported(_:started:ledger:)``).
    static func seal(
        plan: Int64, outcome: Planner.Outcome, digest: PlanDigest, before: ControlTotals, set: CustomerSet,
        settings: LoadSettings, target: any Target, workspace: Workspace, started: Date
    ) throws -> PlanSummary {
        let ledger = workspace.ledger
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
        return summary
    }

    /// After the reports of a plan just sealed are written: its summary names them.
    static func reported(_ summary: PlanSummary, ledger: Ledger) throws {
        FaultPoint.reach("dry-run.reported")
        try ledger.database.write { db in
            try db.execute(
                sql: "UPDATE plan SET summary = ? WHERE id = ?",
                arguments: [String(decoding: try JSONEncoder().encode(summary), as: UTF8.self), summary.plan])
        }
        ledger.truncateLog()
    }
}

extension PlanStore {
    /// A plan's digest read back from the ledger, row by row in plan order: a chunk of rows read on a
    /// child task while the one before is hashed, its inserts' images rebuilt on every core.
    static func digest(plan: Int64, header: String, ledger: Ledger) async throws -> PlanDigest {
        let digest = PlanDigest(header: header)
        let database = ledger.database
        var after: Int64 = -1
        try await ReadAhead.forEach(read: {
            () throws -> (records: PlanRecords, rows: [DigestRow], fetched: PlanRecords.Fetched)? in
            try database.read { db in
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT seq, batch, canonical_key, customer_id, action, apply_kind, reason, fingerprint, expect_absent,
                        before_image, image, changes, image_fingerprint, record_ref, record_refs, legacy_key
                        FROM plan_action WHERE plan_id = ? AND seq > ? ORDER BY seq LIMIT 2000
                        """, arguments: [plan, after])
                guard let last = rows.last else { return nil }
                after = last["seq"]
                let read = rows.map(DigestRow.init)
                let records = try PlanRecords(plan: plan, db: db)
                return (records, read, try records.fetch(read.compactMap(\.rebuilt), db: db))
            }
        }) { records, rows, fetched in
            for row in rows {
                digest.add(row.columns, applyKind: row.applyKind, action: row.action)
                guard let change = row.change else { continue }
                switch change {
                case .images(let before, let after): digest.change(before: before, after: after)
                case .byChanges(let before, let changes, let fingerprint, let key):
                    digest.change(
                        before: before,
                        after: try ChangedImage.image(
                            before: before, changes: changes, fingerprint: fingerprint, key: key, plan: plan))
                }
            }
            for image in try await records.imagesOnEveryCore(fetched).values {
                digest.change(before: nil, after: image)
            }
        }
        return digest
    }

    /// One plan row as the digest reads it: its hashed columns, and what it changes in the totals.
    struct DigestRow: Sendable {
        enum Change: Sendable {
            case images(before: CustomerImage?, after: CustomerImage?)
            case byChanges(before: CustomerImage?, changes: String?, fingerprint: String?, key: String)
        }

        var columns: [PlanDigest.HashedValue]
        var applyKind: String?
        var action: String
        /// An insert rebuilt from its record: its image changes the totals once rebuilt.
        var rebuilt: PlanRecords.Wanted?
        var change: Change?

        init(_ row: Row) {
            applyKind = row["apply_kind"]
            action = row["action"]
            columns = (0..<12).map { PlanDigest.HashedValue((row[$0] as DatabaseValue).storage) }
            let wanted = PlanRecords.wanted(row)
            let byChanges = row["record_ref"] as String? == ChangedImage.marker
            if wanted != nil || byChanges {
                columns[10] = .image(nil, referenceFingerprint: row["image_fingerprint"])
            }
            guard row["batch"] as Int? != nil, applyKind != TargetAction.Kind.references.rawValue else { return }
            let before = (row["before_image"] as String?).flatMap { CustomerImage(json: $0) }
            if let wanted {
                rebuilt = wanted
            } else if byChanges {
                change = .byChanges(
                    before: before, changes: row["changes"], fingerprint: row["image_fingerprint"],
                    key: row["canonical_key"])
            } else {
                change = .images(before: before, after: (row["image"] as String?).flatMap { CustomerImage(json: $0) })
            }
        }
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
