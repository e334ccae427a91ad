import GRDB

/// How a batch's actions are written, shared by the cutover and the dry run's replay so that the replay
/// refuses exactly what the cutover would: in order, runs of new customers together (many rows per
/// statement, up to ``MultiRowInsert/sizes``' largest), every other action on its own. A run the database
/// refuses is undone and written one by one, so that the refused customer is named.
enum NewCustomerRuns {
    /// - Parameters:
    ///   - skip: actions left out (stale rows in a cutover that skips them, or after a replay's refusal).
    ///   - single: writes one action; `again` when the batch met its key before (the second pass of a
    ///     reference cycle).
    ///   - run: writes a run of new customers (their indexes, two or more).
    static func write(
        _ actions: [TargetAction], db: Database, skip: (Int) -> Bool,
        single: (_ index: Int, _ again: Bool) throws -> Void, run: ([Int]) throws -> Void
    ) throws {
        var seen = Set<String>()
        var group: [Int] = []
        func one(_ index: Int) throws {
            try single(index, !seen.insert(actions[index].canonicalKey).inserted)
        }
        func flush() throws {
            defer { group.removeAll(keepingCapacity: true) }
            guard group.count > 1 else { return try group.forEach(one) }
            try db.execute(sql: "SAVEPOINT custmig_new_customers")
            do {
                try run(group)
                try db.execute(sql: "RELEASE custmig_new_customers")
                for index in group { seen.insert(actions[index].canonicalKey) }
            } catch is DatabaseError {
                try db.execute(sql: "ROLLBACK TO custmig_new_customers")
                try db.execute(sql: "RELEASE custmig_new_customers")
                try group.forEach(one)
            }
        }
        for (index, action) in actions.enumerated() where !skip(index) {
            if action.insertsNewCustomer, !seen.contains(action.canonicalKey),
                !group.contains(where: { actions[$0].canonicalKey == action.canonicalKey })
            {
                group.append(index)
                if group.count == MultiRowInsert.sizes[0] { try flush() }
            } else {
                try flush()
                try one(index)
            }
        }
        try flush()
    }
}
