import Crypto
import Foundation
import GRDB

/// Plans in the ledger: reading a plan's batches back, sealing a plan with its content hash,
/// superseding the previous plan for the same target (or keeping it when nothing changed).
public enum PlanStore {
    // MARK: What the cutover and the reconciliation read

    /// How many batches the dry run cut the plan into.
    static func batchCount(plan: Int64, db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT MAX(batch) + 1 FROM plan_action INDEXED BY plan_action_by_batch WHERE plan_id = ?",
            arguments: [plan]) ?? 0
    }

    /// The `seq` of every action the cutover applies, in plan order (for cutting batches of another size).
    static func appliedSeqs(plan: Int64, db: Database) throws -> [Int64] {
        try Int64.fetchAll(
            db, sql: "SELECT seq FROM plan_action WHERE plan_id = ? AND batch IS NOT NULL ORDER BY seq",
            arguments: [plan])
    }

    /// How many of the plan's customers have `action`.
    static func count(plan: Int64, action: PlanAction, db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM plan_action WHERE plan_id = ? AND action = ?",
            arguments: [plan, action.rawValue]) ?? 0
    }

    /// The plan's customers by action (the second pass of a reference cycle not counted again).
    static func actionCounts(plan: Int64, db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT action, COUNT(*) FROM plan_action WHERE plan_id = ? AND IFNULL(apply_kind, '') != 'references'
                GROUP BY action
                """, arguments: [plan])
        {
            counts[row[0]] = row[1]
        }
        return counts
    }

    /// The customers the target refused at the plan's cutover, with the before-image the plan read.
    static func refusedWithBefore(plan: Int64, db: Database) throws -> [(canonicalKey: String, before: String?)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT r.canonical_key, a.before_image FROM cutover_refusal r JOIN plan_action a
                ON a.plan_id = r.plan_id AND a.canonical_key = r.canonical_key
                AND IFNULL(a.apply_kind, '') != 'references' WHERE r.plan_id = ?
                """, arguments: [plan]
        ).map { ($0[0], $0[1]) }
    }

    /// Turns a planned write the rehearsal saw refused into a reject with `reason`.
    static func reject(plan: Int64, canonicalKey: String, batch: Int, reason: String, db: Database) throws {
        try db.execute(
            sql: """
                UPDATE plan_action SET action = 'reject', batch = NULL, apply_kind = NULL,
                reason = ? WHERE plan_id = ? AND canonical_key = ? AND batch = ?
                """,
            arguments: [reason, plan, canonicalKey, batch])
    }

    /// The plan's rejects in plan order (the second pass of a reference cycle left out): key, name, reason.
    static func forEachReject(
        plan: Int64, db: Database, _ body: (_ key: String, _ name: String?, _ reason: String?) throws -> Void
    ) throws {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT canonical_key, name, reason FROM plan_action
                WHERE plan_id = ? AND action = 'reject' AND IFNULL(apply_kind, '') != 'references' ORDER BY seq
                """, arguments: [plan])
        while let row = try rows.next() { try body(row[0], row[1], row[2]) }
    }

    /// Blanks what a plan's rows quote from the source (images, changes, names, reasons); returns how
    /// many rows changed.
    static func forgetSourceValues(plan: Int64, db: Database) throws -> Int {
        try db.execute(
            sql: """
                UPDATE plan_action SET before_image = NULL, image = NULL, changes = NULL, name = NULL,
                reason = NULL WHERE plan_id = ?
                """,
            arguments: [plan])
        return db.changesCount
    }

    /// A planned customer as the reconciliation checks it against the target.
    struct CheckedAction: Sendable {
        let seq: Int64
        let canonicalKey: String
        let customerId: String?
        let action: String
        let batch: Int?
        /// The target row's fingerprint when the plan read it.
        let fingerprint: String?
        let expectAbsent: Bool
        /// The written image's fingerprint (or, for plans made before it was kept, the image).
        let imageFingerprint: String?
        let image: String?
        let name: String?
    }

    /// Up to `limit` of the plan's actions after `seq` (reference passes left out), in plan order.
    static func checkedActions(plan: Int64, after seq: Int64, limit: Int, db: Database) throws -> [CheckedAction] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT seq, canonical_key, customer_id, action, batch, fingerprint, expect_absent, image_fingerprint,
                CASE WHEN image_fingerprint IS NULL THEN image END AS image, name FROM plan_action
                WHERE plan_id = ? AND seq > ? AND IFNULL(apply_kind, '') != 'references' ORDER BY seq LIMIT ?
                """, arguments: [plan, seq, limit]
        ).map {
            CheckedAction(
                seq: $0[0], canonicalKey: $0[1], customerId: $0[2], action: $0[3], batch: $0[4], fingerprint: $0[5],
                expectAbsent: $0[6], imageFingerprint: $0[7], image: $0[8], name: $0[9])
        }
    }

    /// The target operations of one batch, in plan order.
    /// (The ledger has no statistics: without `INDEXED BY` SQLite walks the whole plan for each batch.)
    /// `parallel`: rebuild inserts from their records on every core; `parallelImages`: make the other
    /// rows' images on every core too (for a batch no replay runs beside, such as a rehearsal's first).
    static func targetActions(
        plan: Int64, batch: Int, database: DatabasePool, parallel: Bool = true, parallelImages: Bool = false
    ) throws -> [TargetAction] {
        try targetActions(
            plan: plan, database: database, parallel: parallel, parallelImages: parallelImages,
            sql: "INDEXED BY plan_action_by_batch WHERE plan_id = ? AND batch = ? ORDER BY seq",
            arguments: [plan, batch])
    }

    /// The applicable actions whose `seq` lies in `seqs`, in plan order (a cutover's own batch).
    static func targetActions(
        plan: Int64, seqs: ClosedRange<Int64>, database: DatabasePool, parallel: Bool = true
    ) throws -> [TargetAction] {
        try targetActions(
            plan: plan, database: database, parallel: parallel,
            sql: "WHERE plan_id = ? AND seq BETWEEN ? AND ? AND batch IS NOT NULL ORDER BY seq",
            arguments: [plan, seqs.lowerBound, seqs.upperBound])
    }

    private static func targetActions(
        plan: Int64, database: DatabasePool, parallel: Bool, parallelImages: Bool = false, sql condition: String,
        arguments: StatementArguments
    ) throws -> [TargetAction] {
        try database.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT canonical_key, legacy_key, customer_id, action, apply_kind, image, before_image, fingerprint,
                    source_hash, image_fingerprint, record_ref, record_refs, changes
                    FROM plan_action \(condition)
                    """, arguments: arguments
            )
            // Inserts that refer to their canonical records: rebuilt (and checked) a batch at a time.
            let records = try PlanRecords(plan: plan, db: db)
            let rebuilt = try records.prepared(rows.compactMap(PlanRecords.wanted), db: db, parallel: parallel)
            // By position, in the SELECT's order (a name is looked up case-insensitively, per row).
            let read = { (row: Row) in
                StoredAction(
                    key: row[0], customerId: row[2], action: row[3], applyKind: row[4], image: row[5],
                    beforeImage: row[6], fingerprint: row[7], sourceHash: row[8], imageFingerprint: row[9],
                    recordRef: row[10], changes: row[12])
            }
            guard parallelImages else {
                // One row's texts at a time: a batch of updates holds ~1 KB of before-image per row.
                return try rows.map { row in
                    let stored = read(row)
                    return try stored.targetAction(plan: plan, rebuilt: rebuilt[stored.key])
                }
            }
            let stored = rows.map(read)
            return try ParallelMap.map(stored.indices) { index in
                Result { try stored[index].targetAction(plan: plan, rebuilt: rebuilt[stored[index].key]) }
            }.map { try $0.get() }
        }
    }

    /// One applicable row as stored, made into the target's action straight from its texts (on the
    /// thread that reads ahead): the images themselves are built only for an update stored as changes.
    private struct StoredAction: Sendable {
        var key: String
        var customerId: String
        var action: String
        var applyKind: String?
        var image: String?
        var beforeImage: String?
        var fingerprint: String?
        var sourceHash: String?
        var imageFingerprint: String?
        var recordRef: String?
        var changes: String?

        func targetAction(plan: Int64, rebuilt: PreparedImages?) throws -> TargetAction {
            var action = TargetAction(
                kind: applyKind.flatMap(TargetAction.Kind.init(rawValue:)) ?? .upsert, canonicalKey: key,
                customerId: customerId, image: CustomerImage(),
                crosswalk: self.action == "link" ? "linked" : "inserted")
            action.expectedFingerprint = fingerprint
            action.sourceHash = sourceHash
            if recordRef == ChangedImage.marker {
                let before = beforeImage.flatMap { CustomerImage(json: $0) }
                let after = try ChangedImage.image(
                    before: before, changes: changes, fingerprint: imageFingerprint, key: key, plan: plan)
                action.prepared = PreparedImages(image: after, before: before)
            } else {
                action.prepared =
                    rebuilt ?? PreparedImages(json: image, beforeJSON: beforeImage, fingerprint: imageFingerprint)
            }
            return action
        }
    }

    /// Which plan `reference` names: a number, or `latest` (the newest current plan).
    public static func resolve(_ reference: String, ledger: Ledger) throws -> Int64 {
        let id: Int64? = try ledger.database.read { db in
            if reference == "latest" {
                return try Int64.fetchOne(
                    db, sql: "SELECT id FROM plan WHERE status != 'building' ORDER BY id DESC LIMIT 1")
            }
            guard let number = Int64(reference) else { return nil }
            return try Int64.fetchOne(
                db, sql: "SELECT id FROM plan WHERE id = ? AND status != 'building'", arguments: [number])
        }
        guard let id else {
            throw CustmigError(
                .usage, code: "PLAN-UNKNOWN", "there is no plan \"\(reference)\" in this workspace.",
                fix: "run custmig dry-run first; custmig status lists the plans (latest names the newest).")
        }
        return id
    }

    /// The target a plan was made against (its location, without password), for commands run without `--target`:
    /// the plan already says where it goes, and a cutover must not be pointed anywhere else.
    public static func targetLocation(of reference: String, ledger: Ledger) throws -> String {
        let plan = try resolve(reference, ledger: ledger)
        let location = try ledger.database.read { db in
            try String.fetchOne(db, sql: "SELECT target FROM plan WHERE id = ?", arguments: [plan])
        }
        guard let location else {
            throw CustmigError(
                .usage, code: "PLAN-UNKNOWN", "plan \(plan) names no target.",
                fix: "pass --target LOCATION (sqlite:PATH or postgresql://…).")
        }
        return location
    }

    public static func summary(plan: Int64, ledger: Ledger) throws -> PlanSummary {
        let text = try ledger.database.read { db in
            try String.fetchOne(db, sql: "SELECT summary FROM plan WHERE id = ?", arguments: [plan])
        }
        guard let text, var summary = try? JSONDecoder().decode(PlanSummary.self, from: Data(text.utf8)) else {
            throw CustmigError(
                .internalFailure, code: "PLAN-SUMMARY", "plan \(plan) has no readable summary.",
                fix: "run custmig dry-run again.")
        }
        let approval = try latestApproval(plan: plan, ledger: ledger)
        summary.approvedBy = approval?.by
        summary.approvedAt = approval?.at
        return summary
    }

    /// Who approved the plan's current content hash, if anyone.
    static func approval(plan: Int64, ledger: Ledger) throws -> String? {
        try latestApproval(plan: plan, ledger: ledger)?.by
    }

    /// The latest approval of the plan's current content hash: who and when.
    private static func latestApproval(plan: Int64, ledger: Ledger) throws -> (by: String, at: Date)? {
        try ledger.database.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT approved_by, approved_at FROM plan_approval a JOIN plan p ON p.id = a.plan_id AND p.content_hash = a.content_hash
                    WHERE a.plan_id = ? AND a.approved_by NOT LIKE '(unapproved%' ORDER BY a.approved_at DESC LIMIT 1
                    """, arguments: [plan]
            ).map { ($0["approved_by"], $0["approved_at"]) }
        }
    }

    /// Records who approved which plan hash, and when. Approving a superseded plan is refused.
    public static func approve(plan: Int64, by name: String, note: String?, ledger: Ledger) throws -> String {
        try ledger.database.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT status, content_hash, superseded_by FROM plan WHERE id = ?", arguments: [plan]),
                let hash: String = row["content_hash"]
            else {
                throw CustmigError(
                    .usage, code: "PLAN-UNKNOWN", "there is no plan \(plan).", fix: "run custmig dry-run first.")
            }
            guard row["status"] as String == "current" else {
                throw CustmigError(
                    .stalePlan, code: "PLAN-SUPERSEDED",
                    "plan \(plan) was superseded by plan \(row["superseded_by"] as Int64? ?? 0); it can no longer be approved.",
                    fix:
                        "review and approve the newer plan ("
                        + SuggestedCommand.text("approve latest --by \"NAME\"", workspace: ledger.folder) + ").")
            }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw CustmigError(
                    .usage, code: "PLAN-APPROVER", "--by is empty.",
                    fix: "name the person approving, e.g. --by \"Maria Keller (Finance)\".")
            }
            try recordApproval(plan: plan, hash: hash, by: name, note: note, db: db)
            return hash
        }
    }

    /// Records who let a plan's exact content go to the target (an approval, or a cutover's
    /// `(unapproved: …)` rehearsal marker).
    static func recordApproval(plan: Int64, hash: String, by name: String, note: String?, db: Database) throws {
        try db.execute(
            sql:
                "INSERT INTO plan_approval (plan_id, content_hash, approved_by, note, approved_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [plan, hash, name, note, Date()])
    }

    /// Who last approved this content of the plan (not a cutover's unapproved marker).
    static func approvedBy(plan: Int64, hash: String, db: Database) throws -> String? {
        try String.fetchOne(
            db,
            sql: """
                SELECT approved_by FROM plan_approval WHERE plan_id = ? AND content_hash = ?
                AND approved_by NOT LIKE '(unapproved%' ORDER BY approved_at DESC LIMIT 1
                """, arguments: [plan, hash])
    }

    // MARK: Sealing

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
