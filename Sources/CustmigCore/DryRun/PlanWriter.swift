import AsyncAlgorithms
import Foundation
import GRDB
import Synchronization

/// Writes a plan's actions to the ledger in order, numbering them and cutting the writing ones into
/// the batches the cutover will apply (and the dry run replays). Rows are numbered here and written by
/// a child task while planning goes on (see ``writing(plan:ledger:batchSize:digest:rehearsal:_:)``); the
/// first error of the writing or of the rehearsal beside it is thrown at the next hand-over (a plan
/// being built is thrown away if the dry run fails, so nothing half-written is used).
struct PlanWriter {
    typealias Numbered = (row: Planner.ActionRow, seq: Int, batch: Int?)

    let plan: Int64
    let batchSize: Int
    /// Hash, counts and totals of the rows written so far; read after the writing ends.
    let digest: PlanDigest
    private let rows: AsyncChannel<[Numbered]>
    /// Closed batches, for the rehearsal beside planning.
    private let batches: AsyncChannel<BesideRehearsal.Batch>?
    private let failure: FirstError
    private var buffer: [Numbered] = []
    /// The batch being filled, for the rehearsal.
    private var filling: BesideRehearsal.Batch?
    private var seq = 0
    /// The control totals' change of the rows whose images were let go before writing (see `append`).
    private var insertTotals = ControlTotals()
    private var writes = 0

    var batchCount: Int { (writes + batchSize - 1) / batchSize }

    /// Runs `body` with a writer whose rows a child task writes to the ledger, at most one hand-over
    /// waiting behind the write running; with `rehearsal`, each batch the writer closes is replayed on
    /// the target's copy by another child. Returns once every row is written and every batch
    /// replayed, with what the copy refused; a failing `body` returns only after the writes handed over
    /// so far are done (nothing of this plan is written after the caller has moved on and perhaps
    /// deleted it).
    static func writing<Result>(
        plan: Int64, ledger: Ledger, batchSize: Int, digest: PlanDigest, rehearsal: BesideRehearsal?,
        _ body: (inout PlanWriter) async throws -> Result
    ) async throws -> (Result, refused: [RefusedAction]) {
        let rows = AsyncChannel<[Numbered]>()
        let batches = rehearsal.map { _ in AsyncChannel<BesideRehearsal.Batch>() }
        let failure = FirstError()
        return try await withThrowingTaskGroup(of: [RefusedAction].self) { group in
            group.addTask {
                // After a failure the rest is only taken, not written: the planner learns of it at its
                // next hand-over and must not wait for a reader that is gone.
                for await numbered in rows where !failure.isSet {
                    do { try Self.write(numbered, plan: plan, ledger: ledger, digest: digest) } catch {
                        failure.record(error)
                    }
                }
                return []
            }
            if let rehearsal, let batches {
                group.addTask { await rehearsal.replay(batches, failure: failure) }
            }
            var writer = PlanWriter(
                plan: plan, batchSize: batchSize, digest: digest, rows: rows, batches: batches, failure: failure)
            let result: Result
            do {
                result = try await body(&writer)
                try await writer.handOverTheRest()
            } catch {
                // The children end at their next piece (the group cancels them and waits).
                rows.finish()
                batches?.finish()
                throw error
            }
            rehearsal?.planningEnded(sent: writer.batchCount)
            var refused: [RefusedAction] = []
            for try await part in group { refused += part }
            try failure.check()
            digest.change(inserts: writer.insertTotals)
            return (result, refused)
        }
    }

    private init(
        plan: Int64, batchSize: Int, digest: PlanDigest, rows: AsyncChannel<[Numbered]>,
        batches: AsyncChannel<BesideRehearsal.Batch>?, failure: FirstError
    ) {
        self.plan = plan
        self.batchSize = batchSize
        self.digest = digest
        self.rows = rows
        self.batches = batches
        self.failure = failure
    }

    mutating func append(_ row: consuming Planner.ActionRow) async throws {
        var batch: Int?
        if row.applyKind != nil, row.action.writes {
            batch = writes / batchSize
            writes += 1
        }
        if batches != nil, batch != nil {
            // Worked out once, for the rehearsal beside planning and for the plan row.
            row.imageFingerprint = row.image?.fingerprint ?? row.newImage?.fingerprint
        }
        if let batches, let batch {
            if let filling, filling.batch != batch {
                await batches.send(filling)
                try handedOver()
            }
            if filling?.batch == batch {
                filling?.rows.append(copy row)
            } else {
                filling = .init(batch: batch, rows: [copy row])
            }
        }
        if batch != nil, row.action == .insert, row.reference != nil, let image = row.image {
            // The row will name its record, not hold its image: what the writer needs of the image is
            // taken now, and the rows waiting to be written do not hold ~40,000 images (a first load's
            // dry run peaked at ~700 MB at 1M customers).
            row.imageFingerprint = row.imageFingerprint ?? image.fingerprint
            row.fieldSize = row.fieldSize ?? image.fieldSize
            if row.applyKind != .references { insertTotals.add(image) }
            row.image = nil
        } else if batch != nil, row.action == .insert, row.reference != nil, let image = row.newImage {
            row.imageFingerprint = image.fingerprint
            row.fieldSize = row.fieldSize ?? image.fieldSize
            if row.applyKind != .references { image.addTotals(to: &insertTotals) }
            row.newImage = nil
        }
        buffer.append((row, seq, batch))
        seq += 1
        // Large transactions: a plan being built is thrown away if the dry run dies, so the ledger's
        // per-commit fsync buys nothing here.
        if buffer.count >= 20_000 { try await flush() }
    }

    /// Hands the buffered rows to the writing task (at most one hand-over waits behind the running write).
    private mutating func flush() async throws {
        try failure.check()
        guard !buffer.isEmpty else { return }
        let numbered = buffer
        buffer.removeAll(keepingCapacity: true)
        await rows.send(numbered)
        try handedOver()
    }

    /// After a hand-over: the first failure of a child, or the planner's own cancellation.
    private func handedOver() throws {
        try failure.check()
        try Task.checkCancellation()
    }

    /// Hands over the last batch and rows, and tells the children that nothing more comes.
    private mutating func handOverTheRest() async throws {
        if let batches, let last = filling {
            await batches.send(last)
            filling = nil
            try handedOver()
        }
        try await flush()
        rows.finish()
        batches?.finish()
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
                    ? row.imageFingerprint ?? row.image?.fingerprint ?? row.newImage?.fingerprint : nil
                let fieldSize =
                    reference == nil ? nil : row.fieldSize ?? row.image?.fieldSize ?? row.newImage?.fieldSize
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

/// The first error of work done on another task, rethrown on the task that hands it work.
final class FirstError: Sendable {
    private let error = Mutex<(any Error)?>(nil)

    var isSet: Bool { error.withLock { $0 != nil } }

    func record(_ error: any Error) {
        self.error.withLock { first in if first == nil { first = error } }
    }

    func check() throws {
        if let error = error.withLock({ $0 }) { throw error }
    }
}
