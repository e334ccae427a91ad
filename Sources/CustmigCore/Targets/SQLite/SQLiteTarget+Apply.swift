import Foundation
import GRDB

/// Writing the target: one batch of actions with its bookkeeping, in one transaction.
extension SQLiteTarget {
    /// Applies one batch in one transaction, with the crosswalk, "last loaded" values, undo log
    /// (before- and after-images) and the batch's checkpoint: all of it or nothing. Rows changed since
    /// the plan read them are left alone: reported and skipped with `skipStale`, else the batch is not
    /// applied at all (``StaleBatch``). The first action the database refuses is thrown as ``RefusedAction``.
    @discardableResult
    public func apply(
        batch: Int, actions: [TargetAction], planHash: String, skipStale: Bool = false
    ) throws -> BatchResult {
        try requireSameFile(doing: "batch \(batch + 1)")
        let now = ISO8601DateFormatter().string(from: Date())
        return try database.write { db in
            let (fingerprinted, absent) = StaleRow.idsToCheck(actions)
            let current = try Self.fingerprints(ids: fingerprinted, db: db)
            let present = try Self.existing(ids: absent, db: db)
            let stale = StaleRow.find(in: actions, batch: batch, fingerprints: current, present: present)
            let staleIds = Set(stale.map(\.customerId))
            if !stale.isEmpty, !skipStale { throw StaleBatch(stale: stale) }
            var applied = 0
            // The bookkeeping as the batch finds it, read for all its keys at once; a key a batch meets
            // twice (both passes of a reference cycle) is looked up again, after its first pass.
            var (loadedRows, crosswalkedKeys) = try Self.bookkeeping(keys: actions.map(\.canonicalKey), db: db)
            let statements = try ApplyStatements(db)
            // One action at a time, with its undo entry.
            func single(_ index: Int, again: Bool) throws {
                let action = actions[index]
                do {
                    // The undo log's before-image: the row as it is now (the plan's, verified by its
                    // fingerprint; a reference pass reads it, its first pass changed it).
                    let images = action.images
                    var before = images.beforeText
                    if action.kind == .references,
                        case .success(let rows)? = try Self.rows(ids: [action.customerId], db: db)[action.customerId]
                    {
                        before = StoredImageText.text(rows) { CustomerImage(rows: rows).jsonText }
                    }
                    if again {
                        let again = try Self.bookkeeping(keys: [action.canonicalKey], db: db)
                        loadedRows[action.canonicalKey] = again.loaded[action.canonicalKey]
                        crosswalkedKeys.formUnion(again.crosswalked)
                    }
                    let loaded = loadedRows[action.canonicalKey]
                    let crosswalked = crosswalkedKeys.contains(action.canonicalKey)
                    try Self.apply(action, images: images, statements: statements)
                    // The first pass of a reference cycle writes the rows without their references: the
                    // undo log needs the fingerprint of what it wrote, not of the whole image.
                    let afterHash =
                        action.kind == .upsertWithoutReferences
                        ? try Self.fingerprints(ids: [action.customerId], db: db)[action.customerId]
                            ?? images.fingerprint
                        : images.fingerprint
                    try Self.recordLoaded(action, images: images, planHash: planHash, at: now, statements: statements)
                    try statements.undo.run { bind in
                        bind.undoEntry(
                            planHash: planHash, batch: batch, seq: batch * Self.undoSeqStride + index, action: action,
                            before: before, afterHash: afterHash, crosswalked: crosswalked, loaded: loaded)
                    }
                    applied += 1
                } catch let error as DatabaseError {
                    throw Self.refusal(error, batch: batch, action: action)
                }
            }
            try NewCustomerRuns.write(
                actions, db: db, skip: { staleIds.contains(actions[$0].customerId) }, single: single
            ) { group in
                try Self.insertNew(
                    group.map { (actions[$0], $0) }, batch: batch, planHash: planHash, at: now, loaded: loadedRows,
                    crosswalked: crosswalkedKeys, statements: statements)
                applied += group.count
            }
            try db.execute(
                sql: "INSERT INTO custmig_checkpoint (plan_hash, batch, actions, committed_at) VALUES (?, ?, ?, ?)",
                arguments: [planHash, batch, applied, now])
            FaultPoint.reach("cutover.batch-inside-commit")
            return BatchResult(applied: applied, stale: stale)
        }
    }

    /// The "last loaded" rows and crosswalked keys among `keys`, in a few queries.
    static func bookkeeping(keys: [String], db: Database) throws -> (loaded: [String: Row], crosswalked: Set<String>) {
        var loaded: [String: Row] = [:]
        var crosswalked = Set<String>()
        for part in Array(Set(keys)).chunked(500) {
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            let arguments = StatementArguments(Array(part))
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT canonical_key, image, image_hash, source_hash, plan_hash, loaded_at FROM custmig_loaded
                    WHERE canonical_key IN (\(marks))
                    """, arguments: arguments)
            {
                loaded[row["canonical_key"]] = row
            }
            crosswalked.formUnion(
                try String.fetchAll(
                    db, sql: "SELECT canonical_key FROM custmig_crosswalk WHERE canonical_key IN (\(marks))",
                    arguments: arguments))
        }
        return (loaded, crosswalked)
    }

    /// Which of `ids` have a customer row.
    static func existing(ids: [String], db: Database) throws -> Set<String> {
        var found = Set<String>()
        for part in ids.chunked(500) {
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            found.formUnion(
                try String.fetchAll(
                    db, sql: "SELECT customer_id FROM customer WHERE customer_id IN (\(marks))",
                    arguments: StatementArguments(Array(part))))
        }
        return found
    }

    /// The batches of a plan already committed to this target.
    public func committedBatches(planHash: String) throws -> Set<Int> {
        try database.read { db in
            Set(
                try Int.fetchAll(
                    db, sql: "SELECT batch FROM custmig_checkpoint WHERE plan_hash = ?", arguments: [planHash]))
        }
    }

    /// Undo entries are numbered `batch * undoSeqStride + index` (batches hold at most 1,000,000
    /// actions, two passes of a cycle included), so a batch's entries are a primary-key range.
    static let undoSeqStride = 2_000_000

    static let deleteChildSQL: [String: String] = Dictionary(
        uniqueKeysWithValues: TargetSchema.childTables.map { ($0, "DELETE FROM \($0) WHERE customer_id = ?") })

    /// Writes one action. With the row as the plan read it (`before`), only what differs is written:
    /// the customer row if one of its columns changes, a child table's rows if any of them change.
    static func apply(_ action: TargetAction, images: PreparedImages, statements: ApplyStatements) throws {
        try apply(action, rows: images.rows, bound: images.bound, before: images.beforeRows, statements: statements)
    }

    /// Writes one action given its rows and the rows the target holds now (`before`, nil for a new customer).
    static func apply(
        _ action: TargetAction, rows: CustomerRows, before: CustomerRows?, statements: ApplyStatements
    ) throws {
        try apply(action, rows: rows, bound: BoundRows(rows), before: before, statements: statements)
    }

    private static func apply(
        _ action: TargetAction, rows: @autoclosure () -> CustomerRows, bound: BoundRows,
        before beforeRows: CustomerRows?,
        statements: ApplyStatements
    ) throws {
        if action.kind == .deactivate {
            try statements.deactivate.run { bind in bind.text(action.customerId) }
            return
        }
        let withoutReferences = action.kind == .upsertWithoutReferences
        // A reference pass runs after its own first pass changed the row: rewrite it all.
        let before = action.kind == .upsert ? beforeRows : nil
        let fresh = action.kind == .upsert && beforeRows == nil
        // The after-image's rows are only compared with a row that is there (a new customer read the
        // direct way has none built).
        let after = before == nil ? CustomerRows() : rows()
        if before == nil || before!.customer != after.customer || withoutReferences {
            try statements.upsertCustomer.run { bind in
                bind.text(action.customerId)
                for (column, value) in bound.customer.enumerated() {
                    bind.text(
                        withoutReferences && column == BoundRows.parentColumn
                            ? nil : column == BoundRows.statusColumn ? value ?? "active" : value)
                }
            }
        }
        var changed = TargetSchema.childTables.map { table in
            before == nil || before!.children[table] != after.children[table]
        }
        // Deleting a sales area cascades to its partner functions: rewrite those with it.
        if changed[BoundRows.salesAreaTable] || withoutReferences { changed[BoundRows.partnerFunctionTable] = true }
        if !fresh {
            for table in changed.indices.reversed() where changed[table] {
                try statements.deleteChild[table].run { bind in bind.text(action.customerId) }
            }
        }
        for table in changed.indices where changed[table] {
            let insert = statements.insertChild[table]
            for row in bound.children[table] {
                if withoutReferences, table == BoundRows.partnerFunctionTable,
                    row[BoundRows.partnerColumn] != action.customerId
                {
                    continue
                }
                try insert.run { bind in
                    bind.text(action.customerId)
                    for value in row { bind.text(value) }
                }
            }
        }
    }

    /// Records the crosswalk entry and the "last loaded" image with its fingerprint.
    static func recordLoaded(
        _ action: TargetAction, images: PreparedImages, planHash: String, at time: String, statements: ApplyStatements
    ) throws {
        let fingerprint = images.fingerprint
        try statements.crosswalk.run { bind in
            for value in [
                action.canonicalKey, action.customerId, action.crosswalk, fingerprint, action.sourceHash, planHash,
                time,
            ] { bind.text(value) }
        }
        try statements.loaded.run { bind in
            for value in [action.canonicalKey, images.loadedText, fingerprint, action.sourceHash, planHash, time] {
                bind.text(value)
            }
        }
    }
}
