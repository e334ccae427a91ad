import Foundation

/// Writing the PostgreSQL target: a batch in one transaction with its bookkeeping; new customers in a
/// row go in with `COPY`, everything else (and a group `COPY` refused) one statement at a time.
extension PostgreSQLTarget {
    @discardableResult
    public func apply(batch: Int, actions: [TargetAction], planHash: String, skipStale: Bool) throws -> BatchResult {
        let now = ISO8601DateFormatter().string(from: Date())
        do {
            return try connection.transaction {
                var fingerprinted: [String] = []
                var absent: [String] = []
                for action in actions where action.kind != .references {
                    if action.expectedFingerprint == nil { absent.append(action.customerId) } else {
                        fingerprinted.append(action.customerId)
                    }
                }
                let current = try fingerprints(ids: fingerprinted)
                let present = try existing(ids: absent)
                var stale: [StaleRow] = []
                for action in actions where action.kind != .references {
                    if action.expectedFingerprint == nil, !present.contains(action.customerId) { continue }
                    let now = current[action.customerId]
                    guard now != action.expectedFingerprint || action.expectedFingerprint == nil else { continue }
                    let problem =
                        action.expectedFingerprint == nil
                        ? "customer \(action.customerId) exists in the target now; the plan expected it absent"
                        : now == nil
                            ? "customer \(action.customerId) was deleted in the target since the plan (or cannot be read)"
                            : "customer \(action.customerId) changed in the target since the plan"
                    stale.append(
                        StaleRow(batch: batch, canonicalKey: action.canonicalKey, customerId: action.customerId, problem: problem))
                }
                if !stale.isEmpty, !skipStale { throw StaleBatch(stale: stale) }
                let staleIds = Set(stale.map(\.customerId))
                let kept = actions.filter { !staleIds.contains($0.customerId) }
                let journal = UndoJournal(planHash: planHash, batch: batch, time: now)
                let applied = try write(kept, batch: batch, journal: journal) { refusal in throw refusal }
                try connection.execute(
                    "INSERT INTO custmig_checkpoint (plan_hash, batch, actions, committed_at) VALUES ($1, $2, $3, $4)",
                    [planHash, String(batch), String(applied), now])
                return BatchResult(applied: applied, stale: stale)
            }
        } catch let error as PGError {
            throw Self.failure(error, doing: "apply batch \(batch + 1)", location: postgres)
        }
    }

    /// Replays every batch in one transaction that is rolled back; a refused action is taken out (its
    /// savepoint rolled back) and the rest goes on. The target is never changed.
    public func rehearse(
        batchCount: Int, copyFolder: String?, batch: (Int) throws -> [TargetAction]
    ) throws -> [RefusedAction] {
        var refused: [RefusedAction] = []
        try connection.execute("BEGIN")
        defer { _ = try? connection.execute("ROLLBACK") }
        for number in 0..<batchCount {
            _ = try write(try batch(number), batch: number, journal: nil) { refused.append($0) }
        }
        return refused
    }

    /// Undo entries are numbered `batch * undoSeqStride + index`, as in the SQLite target.
    static let undoSeqStride = 2_000_000

    /// Where a batch's bookkeeping goes (nil while rehearsing: only the crosswalk and last-loaded rows,
    /// which later actions of the replay read).
    struct UndoJournal {
        let planHash: String
        let batch: Int
        let time: String
    }

    /// Writes actions in order inside the open transaction; returns how many were written. A refusal
    /// goes to `refused`, which throws (the cutover: the batch rolls back) or records it (the
    /// rehearsal: that action's savepoint is rolled back and the replay goes on).
    func write(
        _ actions: [TargetAction], batch: Int, journal: UndoJournal?, refused: (RefusedAction) throws -> Void
    ) throws -> Int {
        var applied = 0
        var keysSeen = Set<String>()
        var group: [Int] = []
        let bookkeeping = try Bookkeeping(keys: actions.map(\.canonicalKey), connection: connection)
        func single(_ index: Int) throws {
            let action = actions[index]
            try connection.execute("SAVEPOINT custmig_action")
            do {
                if !keysSeen.insert(action.canonicalKey).inserted { try bookkeeping.refresh(action.canonicalKey) }
                try writeOne(action, index: index, journal: journal, bookkeeping: bookkeeping)
                try connection.execute("RELEASE SAVEPOINT custmig_action")
                applied += 1
            } catch let error as PGError where !error.isConnectionLoss {
                try connection.execute("ROLLBACK TO SAVEPOINT custmig_action")
                try connection.execute("RELEASE SAVEPOINT custmig_action")
                try refused(Self.refusal(error, batch: batch, action: action))
            }
        }
        func flush() throws {
            defer { group.removeAll(keepingCapacity: true) }
            guard group.count > 1 else { return try group.forEach(single) }
            try connection.execute("SAVEPOINT custmig_new_customers")
            do {
                try insertNew(group.map { (actions[$0], $0) }, journal: journal, bookkeeping: bookkeeping)
                try connection.execute("RELEASE SAVEPOINT custmig_new_customers")
                for index in group { keysSeen.insert(actions[index].canonicalKey) }
                applied += group.count
            } catch let error as PGError where !error.isConnectionLoss {
                // Written one by one, the refused customer is named.
                try connection.execute("ROLLBACK TO SAVEPOINT custmig_new_customers")
                try connection.execute("RELEASE SAVEPOINT custmig_new_customers")
                try group.forEach(single)
            }
        }
        for (index, action) in actions.enumerated() {
            if action.insertsNewCustomer, !keysSeen.contains(action.canonicalKey),
                !group.contains(where: { actions[$0].canonicalKey == action.canonicalKey })
            {
                group.append(index)
            } else {
                try flush()
                try single(index)
            }
        }
        try flush()
        return applied
    }

    /// One action: its rows (only what differs from the row as the plan read it) and its bookkeeping.
    private func writeOne(_ action: TargetAction, index: Int, journal: UndoJournal?, bookkeeping: Bookkeeping) throws {
        let images = action.images
        var before = images.beforeText
        if action.kind == .references, case .success(let rows)? = try self.rows(ids: [action.customerId])[action.customerId] {
            before = StoredImageText.text(rows) { CustomerImage(rows: rows).jsonText }
        }
        try writeRows(action, rows: images.rows, before: images.beforeRows)
        let afterHash =
            action.kind == .upsertWithoutReferences
            ? try fingerprints(ids: [action.customerId])[action.customerId] ?? images.fingerprint : images.fingerprint
        let loadedBefore = bookkeeping.loaded[action.canonicalKey]
        let crosswalked = bookkeeping.crosswalked.contains(action.canonicalKey)
        try connection.execute(
            """
            INSERT INTO custmig_crosswalk (canonical_key, customer_id, how, image_hash, source_hash, plan_hash, loaded_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (canonical_key) DO UPDATE SET image_hash = EXCLUDED.image_hash,
            source_hash = COALESCE(EXCLUDED.source_hash, custmig_crosswalk.source_hash)
            """,
            [
                action.canonicalKey, action.customerId, action.crosswalk, images.fingerprint, action.sourceHash,
                journal?.planHash ?? "rehearsal", journal?.time ?? "",
            ])
        try connection.execute(
            """
            INSERT INTO custmig_loaded (canonical_key, image, image_hash, source_hash, plan_hash, loaded_at)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (canonical_key) DO UPDATE SET image = EXCLUDED.image,
            image_hash = EXCLUDED.image_hash, source_hash = COALESCE(EXCLUDED.source_hash, custmig_loaded.source_hash),
            plan_hash = EXCLUDED.plan_hash, loaded_at = EXCLUDED.loaded_at
            """,
            [
                action.canonicalKey, images.loadedText, images.fingerprint, action.sourceHash,
                journal?.planHash ?? "rehearsal", journal?.time ?? "",
            ])
        if let journal {
            try connection.execute(
                "INSERT INTO custmig_undo (\(Self.undoColumns.joined(separator: ", "))) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                Self.undoRow(
                    journal, index: index, action: action, before: before, afterHash: afterHash,
                    crosswalked: crosswalked, loaded: loadedBefore))
        }
    }

    static let undoColumns = [
        "plan_hash", "batch", "seq", "canonical_key", "customer_id", "before_image", "after_hash", "crosswalk_created",
        "loaded_before", "loaded_before_hash", "loaded_before_source", "loaded_before_plan", "loaded_before_at",
    ]

    static func undoRow(
        _ journal: UndoJournal, index: Int, action: TargetAction, before: String?, afterHash: String, crosswalked: Bool,
        loaded: [String?]?
    ) -> [String?] {
        [
            journal.planHash, String(journal.batch), String(journal.batch * undoSeqStride + index), action.canonicalKey,
            action.customerId, before, afterHash, crosswalked ? "0" : "1", loaded?[0] ?? nil, loaded?[1] ?? nil,
            loaded?[2] ?? nil, loaded?[3] ?? nil, loaded?[4] ?? nil,
        ]
    }

    /// New customers in a row, table by table with `COPY` (constraints are checked at the end of each
    /// statement, so a parent later in the same group is found).
    private func insertNew(_ group: [(TargetAction, Int)], journal: UndoJournal?, bookkeeping: Bookkeeping) throws {
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
                    + bound.customer.enumerated().map { $0.offset == BoundRows.statusColumn ? $0.element ?? "active" : $0.element })
            for (table, rows) in bound.children.enumerated() {
                for row in rows { children[table].append([action.customerId] + row) }
            }
            let time = journal?.time ?? ""
            let plan = journal?.planHash ?? "rehearsal"
            crosswalk.append([
                action.canonicalKey, action.customerId, action.crosswalk, images.fingerprint, action.sourceHash, plan, time,
            ])
            loaded.append([action.canonicalKey, images.loadedText, images.fingerprint, action.sourceHash, plan, time])
            if let journal {
                undo.append(
                    Self.undoRow(
                        journal, index: index, action: action, before: nil, afterHash: images.fingerprint,
                        crosswalked: bookkeeping.crosswalked.contains(action.canonicalKey),
                        loaded: bookkeeping.loaded[action.canonicalKey]))
            }
        }
        // Keys already in the bookkeeping (a customer deleted in the target after an earlier load) take
        // the one-by-one path, whose statements update them.
        guard group.allSatisfy({ !bookkeeping.crosswalked.contains($0.0.canonicalKey) && bookkeeping.loaded[$0.0.canonicalKey] == nil })
        else { throw PGError(sqlState: "23505", message: "bookkeeping present") }
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
    }

    /// Writes a customer's rows; with the rows as they are (`before`), only what differs.
    func writeRows(_ action: TargetAction, rows after: CustomerRows, before beforeRows: CustomerRows?) throws {
        if action.kind == .deactivate {
            try connection.execute("UPDATE customer SET status = 'inactive' WHERE customer_id = $1", [action.customerId])
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
    static func refusal(_ error: PGError, batch: Int, action: TargetAction) -> RefusedAction {
        let kind: RefusalKind
        switch error.sqlState {
        case "23514", "23502": kind = .constraint
        case "23503": kind = .reference
        case "23505": kind = .duplicate
        case "40001", "40P01", "55P03", "57014": kind = .transient
        default: kind = error.sqlState.hasPrefix("08") ? .transient : error.sqlState.hasPrefix("22") ? .constraint : .fatal
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

/// The "last loaded" rows and crosswalked keys a batch finds, read for all its keys at once.
final class Bookkeeping {
    /// canonical key -> image, image_hash, source_hash, plan_hash, loaded_at.
    var loaded: [String: [String?]] = [:]
    var crosswalked = Set<String>()
    let connection: PGConnection

    init(keys: [String], connection: PGConnection) throws {
        self.connection = connection
        for part in Array(Set(keys)).chunked(5_000) { try read(part) }
    }

    /// Reads a key again (the second pass of a reference cycle meets its first pass's bookkeeping).
    func refresh(_ key: String) throws {
        loaded[key] = nil
        try read([key])
    }

    private func read(_ keys: ArraySlice<String>) throws {
        let parameter = [PGConnection.array(keys) as String?]
        for row in try connection.execute(
            "SELECT canonical_key, image, image_hash, source_hash, plan_hash, loaded_at FROM custmig_loaded WHERE canonical_key = ANY($1::text[])",
            parameter)
        {
            loaded[row[0] ?? ""] = Array(row.dropFirst())
        }
        for row in try connection.execute(
            "SELECT canonical_key FROM custmig_crosswalk WHERE canonical_key = ANY($1::text[])", parameter)
        {
            if let key = row[0] { crosswalked.insert(key) }
        }
    }
}
