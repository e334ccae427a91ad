import Foundation

/// Writing the PostgreSQL target: a batch in one transaction with its bookkeeping; new customers in a
/// row go in with `COPY`, everything else (and a group `COPY` refused) one statement at a time.
extension PostgreSQLTarget {
    @discardableResult
    public func apply(batch: Int, actions: [TargetAction], planHash: String, skipStale: Bool) throws -> BatchResult {
        let now = ISO8601DateFormatter().string(from: Date())
        do {
            return try connection.transaction {
                try JournaledBatch.apply(
                    actions, batch: batch, planHash: planHash, time: now, skipStale: skipStale, store: self)
            }
        } catch let error as PGError {
            throw Self.failure(error, doing: "apply batch \(batch + 1)", location: postgres)
        }
    }

    /// Replays batches in one transaction that is rolled back when the rehearsal closes; a refused
    /// action is taken out (its savepoint rolled back) and the rest goes on. The target is never changed.
    public func rehearsal(copyFolder: String?) throws -> any TargetRehearsal {
        let connection = connection
        return try JournaledRehearsal(
            store: self, begin: { try connection.execute("BEGIN") },
            rollBack: { _ = try? connection.execute("ROLLBACK") })
    }

    /// New customers in a row, table by table with `COPY` (constraints are checked at the end of each
    /// statement, so a parent later in the same group is found).
    func insertNewCustomers(
        _ group: [(action: TargetAction, index: Int)], journal: JournaledBatch.Journal?,
        known: (loaded: [String: LoadedRecord], crosswalked: Set<String>)
    ) throws -> Bool {
        var customers: [[String?]] = []
        var children = [[[String?]]](repeating: [], count: TargetSchema.childTables.count)
        var crosswalk: [[String?]] = []
        var loaded: [[String?]] = []
        var undo: [[String?]] = []
        for (action, index) in group {
            let images = action.images
            let bound = images.bound
            customers.append(
                [action.customerId]
                    + bound.customer.enumerated().map {
                        $0.offset == BoundRows.statusColumn ? $0.element ?? "active" : $0.element
                    })
            for (table, rows) in bound.children.enumerated() {
                for row in rows { children[table].append([action.customerId] + row) }
            }
            let time = journal?.time ?? ""
            let plan = journal?.planHash ?? "rehearsal"
            crosswalk.append([
                action.canonicalKey, action.customerId, action.crosswalk, images.fingerprint, action.sourceHash, plan,
                time,
            ])
            loaded.append([action.canonicalKey, images.loadedText, images.fingerprint, action.sourceHash, plan, time])
            if let journal {
                undo.append(
                    Self.undoRow(
                        UndoEntry(
                            planHash: journal.planHash, batch: journal.batch,
                            seq: journal.batch * JournaledBatch.undoSeqStride + index,
                            canonicalKey: action.canonicalKey,
                            customerId: action.customerId, beforeImage: nil, afterHash: images.fingerprint,
                            crosswalkCreated: true, loadedBefore: nil)))
            }
        }
        try connection.copy(into: "customer", columns: ["customer_id"] + CustomerImage.customerColumns, rows: customers)
        for (table, rows) in children.enumerated() where !rows.isEmpty {
            let name = TargetSchema.childTables[table]
            try connection.copy(into: name, columns: ["customer_id"] + CustomerImage.childColumns[name]!, rows: rows)
        }
        try connection.copy(
            into: "custmig_crosswalk",
            columns: ["canonical_key", "customer_id", "how", "image_hash", "source_hash", "plan_hash", "loaded_at"],
            rows: crosswalk)
        try connection.copy(
            into: "custmig_loaded",
            columns: ["canonical_key", "image", "image_hash", "source_hash", "plan_hash", "loaded_at"], rows: loaded)
        if !undo.isEmpty { try connection.copy(into: "custmig_undo", columns: Self.undoColumns, rows: undo) }
        return true
    }

    /// Writes a customer's rows; with the rows as they are (`before`), only what differs.
    func writeRows(_ action: TargetAction, rows after: CustomerRows, before beforeRows: CustomerRows?) throws {
        if action.kind == .deactivate {
            try connection.execute(
                "UPDATE customer SET status = 'inactive' WHERE customer_id = $1", [action.customerId])
            return
        }
        let withoutReferences = action.kind == .upsertWithoutReferences
        let before = action.kind == .upsert ? beforeRows : nil
        let fresh = action.kind == .upsert && beforeRows == nil
        let bound = BoundRows(after)
        if before == nil || before!.customer != after.customer || withoutReferences {
            let columns = CustomerImage.customerColumns
            let values: [String?] =
                [action.customerId]
                + bound.customer.enumerated().map { column, value in
                    withoutReferences && column == BoundRows.parentColumn
                        ? nil : column == BoundRows.statusColumn ? value ?? "active" : value
                }
            try connection.execute(
                """
                INSERT INTO customer (customer_id, \(columns.joined(separator: ", ")))
                VALUES (\((1...values.count).map { "$\($0)" }.joined(separator: ", ")))
                ON CONFLICT (customer_id) DO UPDATE SET \(columns.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", "))
                """, values)
        }
        var changed = TargetSchema.childTables.map { table in
            before == nil || before!.children[table] != after.children[table]
        }
        if changed[BoundRows.salesAreaTable] || withoutReferences { changed[BoundRows.partnerFunctionTable] = true }
        if !fresh {
            for table in changed.indices.reversed() where changed[table] {
                try connection.execute(
                    "DELETE FROM \(TargetSchema.childTables[table]) WHERE customer_id = $1", [action.customerId])
            }
        }
        for table in changed.indices where changed[table] {
            let name = TargetSchema.childTables[table]
            let columns = ["customer_id"] + CustomerImage.childColumns[name]!
            for row in bound.children[table] {
                if withoutReferences, table == BoundRows.partnerFunctionTable,
                    row[BoundRows.partnerColumn] != action.customerId
                {
                    continue
                }
                try connection.execute(
                    "INSERT INTO \(name) (\(columns.joined(separator: ", "))) VALUES (\((1...columns.count).map { "$\($0)" }.joined(separator: ", ")))",
                    [action.customerId] + row)
            }
        }
    }

    /// What PostgreSQL's SQLSTATE says about a refused action, with the error kept as the cause.
    func refusal(_ error: Error, batch: Int, action: TargetAction) -> RefusedAction? {
        guard let error = error as? PGError, !error.isConnectionLoss else { return nil }
        return Self.refusal(error, batch: batch, action: action)
    }

    static func refusal(_ error: PGError, batch: Int, action: TargetAction) -> RefusedAction {
        let kind: RefusalKind
        switch error.sqlState {
        case "23514", "23502": kind = .constraint
        case "23503": kind = .reference
        case "23505": kind = .duplicate
        case "40001", "40P01", "55P03", "57014": kind = .transient
        default:
            kind = error.sqlState.hasPrefix("08") ? .transient : error.sqlState.hasPrefix("22") ? .constraint : .fatal
        }
        // A check constraint's column: PostgreSQL names the constraint (`customer_credit_limit_check`).
        var field = error.column
        if field == nil, kind == .constraint, let name = error.constraint, let table = error.table,
            name.hasPrefix(table + "_"), name.hasSuffix("_check")
        {
            field = String(name.dropFirst(table.count + 1).dropLast("_check".count))
        }
        return RefusedAction(
            batch: batch, canonicalKey: action.canonicalKey, customerId: action.customerId, message: error.message,
            kind: kind, field: field, cause: error)
    }
}
