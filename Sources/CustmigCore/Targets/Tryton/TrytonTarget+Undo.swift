import Foundation

/// Surgical undo over Tryton with ``JournaledBatch/undo(batch:planHash:isLast:store:)``: each write or
/// delete is one call preceded by its intent, the journal's rows commit one by one, and a rerun after a
/// kill finds what already happened (a deleted party is gone, a restored one matches its before-image).
extension TrytonTarget: JournaledStore {
    public func undoBatches(planHash: String) throws -> [Int] { try journal.undoBatches(planHash: planHash) }

    public func undo(batch: Int, planHash: String, isLast: Bool) throws -> UndoOutcome {
        undoNotes = []
        var outcome = try JournaledBatch.undo(batch: batch, planHash: planHash, isLast: isLast, store: self)
        outcome.deleted -= undoNotes.count
        outcome.kept += undoNotes
        return outcome
    }

    func rows(ids: [String]) throws -> [String: Result<CustomerRows, UnreadableTargetRow>] {
        try resolved(ids: ids).mapValues { .success($0.rows) }
    }

    /// Writes a customer's rows back (a restore): the whole party is replaced by the image.
    func writeRows(_ action: TargetAction, rows: CustomerRows, before: CustomerRows?) throws {
        let code = action.customerId
        guard let current = try resolved(ids: [code])[code] else { return }
        let image = CustomerImage(rows: rows).jsonText
        let values: (values: [String: Any], order: TrytonMapping.ChildOrder)
        do {
            values = try TrytonMapping.partyValues(rows, code: code, catalog: catalog, replacing: current.party)
        } catch {
            throw TrytonError.refused(type: "custmig", message: "\(error.field): \(error.message)")
        }
        try journal.markPending([(code, image)], call: "write", planHash: nil, batch: nil)
        _ = try client.call("party.party", "write", [[current.party.id], values.values])
        let after = try TrytonParties.read(codes: [code], client: client, values: companyValues)[code]
        try journal.recordOutcome([(code, after, image, after?.rowIds(order: values.order) ?? [:])])
    }

    /// Deletes a party and the bank accounts custmig made with it (Tryton keeps them otherwise, and
    /// their IBANs would block a later load). Where Tryton refuses (something refers to the party), the
    /// party is deactivated instead and the undo reports it.
    func deleteCustomer(_ id: String) throws {
        guard let party = try TrytonParties.read(codes: [id], client: client, values: companyValues)[id] else { return }
        try journal.markPending([(id, nil)], call: "delete", planHash: nil, batch: nil)
        do {
            _ = try client.call("party.party", "delete", [[party.id]])
            if !party.bankAccountIds.isEmpty {
                _ = try? client.call("bank.account", "delete", [party.bankAccountIds])
            }
            try journal.recordOutcome([(id, nil, nil, [:])])
        } catch let error as TrytonError where error.isDataRefusal {
            _ = try client.call("party.party", "write", [[party.id], ["active": false]])
            try journal.clearPending(codes: [id])
            undoNotes.append("\(id): Tryton refused to delete it (\(error)); deactivated instead")
        }
    }

    /// No party custmig loads refers to another (``referrer(of:)``): a batch's deletes go together.
    var deletesInBulk: Bool { true }

    /// Deletes parties in calls of up to `callSize` after their intents, then the bank accounts custmig
    /// made with them. A call Tryton refuses (something refers to one of them) is taken party by party,
    /// so that the one it refuses is deactivated and reported and the others go.
    func deleteCustomers(_ ids: [String]) throws {
        let parties = try TrytonParties.read(codes: ids, client: client, values: companyValues)
        let present = ids.compactMap { id in parties[id].map { (id: id, party: $0) } }
        for chunk in present.chunked(callSize) {
            let group = Array(chunk)
            try journal.markPending(group.map { ($0.id, nil) }, call: "delete", planHash: nil, batch: nil)
            do {
                _ = try client.call("party.party", "delete", [group.map(\.party.id)])
            } catch let error as TrytonError where error.isDataRefusal {
                try journal.clearPending(codes: group.map(\.id))
                for (id, _) in group { try deleteCustomer(id) }
                continue
            }
            let accounts = group.flatMap(\.party.bankAccountIds)
            if !accounts.isEmpty { _ = try? client.call("bank.account", "delete", [accounts]) }
            try journal.recordOutcome(group.map { ($0.id, nil, nil, [:]) })
        }
    }

    /// Tryton has no references between customers that custmig loads (parents and partner functions are
    /// not loaded); a party something else refers to is found when its delete is refused.
    func referrer(of id: String) throws -> String? { nil }

    func journal(keys: [String]) throws -> (loaded: [String: LoadedRecord], crosswalked: Set<String>) {
        try journal.queue.read { db in try TrytonJournal.journal(keys: keys, db: db) }
    }

    func recordLoaded(_ action: TargetAction, images: PreparedImages, planHash: String, time: String) throws {
        try journal.queue.write { db in
            try TrytonJournal.recordLoaded(
                key: action.canonicalKey, id: action.customerId, how: action.crosswalk, image: images.loadedText,
                imageHash: images.fingerprint, sourceHash: action.sourceHash, planHash: planHash, time: time, db: db)
        }
    }

    func appendUndo(_ entry: UndoEntry) throws {
        try journal.queue.write { db in try TrytonJournal.appendUndo(entry, db: db) }
    }
    func undoEntries(planHash: String, batch: Int) throws -> [UndoEntry] {
        try journal.undoEntries(planHash: planHash, batch: batch)
    }
    func removeUndo(planHash: String, batch: Int) throws { try journal.removeUndo(planHash: planHash, batch: batch) }
    func removeCrosswalk(keys: [String]) throws { try journal.removeCrosswalk(keys: keys) }
    func restoreLoaded(key: String, from entry: UndoEntry) throws { try journal.restoreLoaded(key: key, from: entry) }
    func forgetLoaded(keys: [String]) throws { try journal.forgetLoaded(keys: keys) }
    func addCheckpoint(planHash: String, batch: Int, actions: Int, time: String) throws {
        try journal.queue.write { db in
            try TrytonJournal.addCheckpoint(planHash: planHash, batch: batch, actions: actions, time: time, db: db)
        }
    }
    func removeCheckpoint(planHash: String, batch: Int) throws {
        try journal.removeCheckpoint(planHash: planHash, batch: batch)
    }
    func removeBatchLayout(planHash: String) throws { try journal.removeBatchLayout(planHash: planHash) }

    // No transactions: nothing to take back but what the undo itself checks.
    func savepoint(_ name: String) throws {}
    func rollback(to name: String) throws {}
    func release(_ name: String) throws {}

    func insertNewCustomers(
        _ group: [(action: TargetAction, index: Int)], journal: JournaledBatch.Journal?,
        known: (loaded: [String: LoadedRecord], crosswalked: Set<String>)
    ) throws -> Bool { false }

    func refusal(_ error: Error, batch: Int, action: TargetAction) -> RefusedAction? {
        guard let error = error as? TrytonError, error.isDataRefusal else { return nil }
        return RefusedAction(
            batch: batch, canonicalKey: action.canonicalKey, customerId: action.customerId,
            message: "Tryton refused it: \(error)", kind: .constraint, cause: error)
    }
}
