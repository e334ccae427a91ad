import GRDB

extension SQLiteTarget {
    /// Writes a run of new customers (their rows, crosswalk entries, last-loaded values and undo
    /// entries) table by table, many rows per statement: what ``apply(batch:actions:planHash:skipStale:)``
    /// writes for each of them one at a time, in fewer statements. Customers come first, then each
    /// child table in order: a row referring to another customer of the run finds it written.
    static func insertNew(
        _ run: [(action: TargetAction, index: Int)], batch: Int, planHash: String, at time: String,
        loaded: [String: Row], crosswalked: Set<String>, statements: ApplyStatements
    ) throws {
        let images = run.map(\.action.images)
        try insertRows(of: run.map(\.action), images: images, statements: statements)
        try statements.crosswalks.run(count: run.count) { member, bind in
            let action = run[member].action
            for value in [
                action.canonicalKey, action.customerId, action.crosswalk, images[member].fingerprint, action.sourceHash,
                planHash, time,
            ] { bind.text(value) }
        }
        try statements.loadeds.run(count: run.count) { member, bind in
            let action = run[member].action
            for value in [
                action.canonicalKey, images[member].loadedText, images[member].fingerprint, action.sourceHash, planHash,
                time,
            ] { bind.text(value) }
        }
        try statements.undos.run(count: run.count) { member, bind in
            let (action, index) = run[member]
            bind.undoEntry(
                planHash: planHash, batch: batch, seq: batch * undoSeqStride + index, action: action, before: nil,
                afterHash: images[member].fingerprint, crosswalked: crosswalked.contains(action.canonicalKey),
                loaded: loaded[action.canonicalKey])
        }
    }
}

extension SQLiteTarget {
    /// The business rows of a run of new customers: the customers, then each child table in order, many
    /// rows per statement. The cutover writes them so (with its bookkeeping), and so does the dry run's
    /// replay, which must refuse what the cutover's statements would.
    static func insertRows(
        of actions: [TargetAction], images: [PreparedImages], statements: ApplyStatements
    ) throws {
        try statements.customers.run(count: actions.count) { member, bind in
            bind.text(actions[member].customerId)
            for (column, value) in images[member].bound.customer.enumerated() {
                bind.text(column == BoundRows.statusColumn ? value ?? "active" : value)
            }
        }
        for (table, insert) in statements.children.enumerated() {
            var rows: [(member: Int, row: Int)] = []
            for member in actions.indices {
                for row in images[member].bound.children[table].indices { rows.append((member, row)) }
            }
            try insert.run(count: rows.count) { index, bind in
                let (member, row) = rows[index]
                bind.text(actions[member].customerId)
                for value in images[member].bound.children[table][row] { bind.text(value) }
            }
        }
    }
}

extension TargetAction {
    /// A customer the plan inserts: written with no row to compare against, so many at a time.
    var insertsNewCustomer: Bool {
        kind == .upsert && (prepared.map { $0.beforeRows == nil } ?? (before == nil))
    }
}

extension RawStatement.Binder {
    /// One undo-log entry's values, in ``ApplyStatements/undoSQL``'s column order.
    mutating func undoEntry(
        planHash: String, batch: Int, seq: Int, action: TargetAction, before: String?, afterHash: String,
        crosswalked: Bool, loaded: Row?
    ) {
        text(planHash)
        int(batch)
        int(seq)
        text(action.canonicalKey)
        text(action.customerId)
        text(before)
        text(afterHash)
        bool(!crosswalked)
        text(loaded?["image"] as String?)
        text(loaded?["image_hash"] as String?)
        text(loaded?["source_hash"] as String?)
        text(loaded?["plan_hash"] as String?)
        text(loaded?["loaded_at"] as String?)
    }
}
