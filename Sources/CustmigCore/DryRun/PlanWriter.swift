import Foundation
import GRDB
import Synchronization

/// Writes a plan's actions to the ledger in order, numbering them and cutting the writing ones into
/// the batches the cutover will apply (and the dry run replays). Rows are numbered here and written
/// on a serial queue while planning goes on; `finish` waits for the last write and rethrows the first
/// error (a plan being built is thrown away if the dry run fails, so nothing half-written is used).
struct PlanWriter {
    let plan: Int64
    let ledger: Ledger
    let batchSize: Int
    /// Hash, counts and totals of the rows written so far; read after ``finish()``.
    let digest: PlanDigest
    /// Replays each batch as it closes, when the dry run rehearses beside planning.
    var rehearsal: RehearsalStream?
    private var buffer: [(row: Planner.ActionRow, seq: Int, batch: Int?)] = []
    /// The batch being filled, for the rehearsal.
    private var filling: (batch: Int, rows: [Planner.ActionRow])?
    private var seq = 0
    /// The control totals' change of the rows whose images were let go before writing (see `append`).
    private var insertTotals = ControlTotals()
    private var writes = 0
    private let queue = DispatchQueue(label: "custmig.plan.writer")
    private let pending = DispatchGroup()
    private let failure = FirstError()

    init(plan: Int64, ledger: Ledger, batchSize: Int, digest: PlanDigest) {
        self.plan = plan
        self.ledger = ledger
        self.batchSize = batchSize
        self.digest = digest
    }

    var batches: Int { (writes + batchSize - 1) / batchSize }

    mutating func append(_ row: Planner.ActionRow) throws {
        var row = row
        var batch: Int?
        if row.applyKind != nil, row.action.writes {
            batch = writes / batchSize
            writes += 1
        }
        if rehearsal != nil, batch != nil {
            // Worked out once, for the rehearsal beside planning and for the plan row.
            row.imageFingerprint = row.image?.fingerprint
        }
        if let rehearsal, let batch {
            if let filling, filling.batch != batch { try rehearsal.send(batch: filling.batch, rows: filling.rows) }
            if filling?.batch == batch { filling?.rows.append(row) } else { filling = (batch, [row]) }
        }
        if batch != nil, row.action == .insert, row.reference != nil, let image = row.image {
            // The row will name its record, not hold its image: what the writer needs of the image is
            // taken now, and the rows waiting to be written do not hold ~40,000 images (a first load's
            // dry run peaked at ~700 MB at 1M customers).
            row.imageFingerprint = row.imageFingerprint ?? image.fingerprint
            row.fieldSize = row.fieldSize ?? image.fieldSize
            if row.applyKind != .references { insertTotals.add(image) }
            row.image = nil
        }
        buffer.append((row, seq, batch))
        seq += 1
        // Large transactions: a plan being built is thrown away if the dry run dies, so the ledger's
        // per-commit fsync buys nothing here.
        if buffer.count >= 20_000 { try flush() }
    }

    /// Hands the buffered rows to the writing queue (at most one write waits behind the running one).
    mutating func flush() throws {
        try failure.check()
        guard !buffer.isEmpty else { return }
        let numbered = buffer
        buffer.removeAll(keepingCapacity: true)
        pending.wait()
        let (plan, ledger, failure, rows, digest) = (self.plan, self.ledger, self.failure, numbered, self.digest)
        queue.async(group: pending) {
            do { try Self.write(rows, plan: plan, ledger: ledger, digest: digest) } catch { failure.record(error) }
        }
    }

    /// Waits for the writes handed over so far, without writing more or reporting their errors.
    func waitForWrites() { pending.wait() }

    /// Writes what is buffered and waits until every row is in the ledger.
    mutating func finish() throws {
        if let rehearsal, let last = filling {
            try rehearsal.send(batch: last.batch, rows: last.rows)
            filling = nil
        }
        try flush()
        pending.wait()
        try failure.check()
        digest.change(inserts: insertTotals)
        insertTotals = ControlTotals()
    }

    private static func write(
        _ rows: [(row: Planner.ActionRow, seq: Int, batch: Int?)], plan: Int64, ledger: Ledger, digest: PlanDigest
    ) throws {
        try ledger.database.write { db in
            let inserter = try PlanStore.ActionInserter(db)
            for (row, seq, batch) in rows {
                // A conflict is not loaded: its changes (base, ours, theirs) are all that is kept of it.
                let keepsImages = row.action != .unchanged && row.action != .reject && row.action != .conflict
                let changes = row.changes.isEmpty ? nil : FieldChange.jsonText(row.changes)
                let applyKind = batch == nil ? nil : row.applyKind?.rawValue
                let before = keepsImages ? row.before?.jsonText : nil
                // An insert made from its record as it is refers to the record; the image's fingerprint
                // stands for the image in the plan hash and binds the rebuilt image to it.
                let reference = keepsImages && row.action == .insert ? row.reference : nil
                // An update (link, deactivation) whose image is its before-image with its changes keeps those.
                var byChanges = false
                if keepsImages, batch != nil, reference == nil, let old = row.before, let new = row.image {
                    byChanges = ChangedImage.rebuilds(new, before: old, changes: row.changes)
                }
                let image = keepsImages && reference == nil && !byChanges ? row.image?.jsonText : nil
                let imageFingerprint =
                    keepsImages && (image != nil || reference != nil || byChanges)
                    ? row.imageFingerprint ?? row.image?.fingerprint : nil
                let fieldSize = reference == nil ? nil : row.fieldSize ?? row.image?.fieldSize
                try inserter.insert(
                    PlanStore.ActionColumns(
                        plan: plan, seq: seq, batch: batch, canonicalKey: row.key, legacyKey: row.legacyKey,
                        customerId: row.customerId, action: row.action.rawValue, applyKind: applyKind,
                        reason: row.reason, fingerprint: row.fingerprint, expectAbsent: row.expectAbsent,
                        beforeImage: before, image: image, changes: changes, name: row.name, country: row.country,
                        sourceHash: row.sourceHash, imageFingerprint: imageFingerprint,
                        recordRef: reference?.text ?? (byChanges ? ChangedImage.marker : nil),
                        recordRefs: reference?.resolvedText, fieldCount: fieldSize?.count,
                        fieldBytes: fieldSize?.bytes))
                digest.add(
                    [
                        .int(seq), batch.map { .int($0) } ?? .null, .text(row.key), .init(row.customerId),
                        .text(row.action.rawValue), .init(applyKind), .init(row.reason), .init(row.fingerprint),
                        .int(row.expectAbsent ? 1 : 0), .init(before),
                        PlanDigest.HashedValue.image(
                            image, referenceFingerprint: reference == nil && !byChanges ? nil : imageFingerprint),
                        .init(changes),
                    ], applyKind: applyKind, action: row.action.rawValue)
                // (An insert by reference was counted, and its image let go, when it was handed over.)
                if batch != nil, applyKind != TargetAction.Kind.references.rawValue, reference == nil {
                    digest.change(
                        before: before == nil ? nil : row.before,
                        after: image == nil && !byChanges ? nil : row.image)
                }
            }
        }
        FaultPoint.reach("dry-run.rows-written")
    }
}

/// The first error of work done on another thread, rethrown on the thread that waits for it.
final class FirstError: Sendable {
    private let error = Mutex<(any Error)?>(nil)

    func record(_ error: any Error) {
        self.error.withLock { first in if first == nil { first = error } }
    }

    func check() throws {
        if let error = error.withLock({ $0 }) { throw error }
    }
}
