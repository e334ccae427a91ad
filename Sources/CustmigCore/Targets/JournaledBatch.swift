/// Applying, rehearsing and undoing a batch over a ``JournaledStore``, inside the transaction its target
/// opened: the staleness check, the writes in plan order with their journal, and the surgical undo.
enum JournaledBatch {
    /// Undo entries are numbered `batch * undoSeqStride + index` (as in the SQLite target), so a
    /// batch's entries are one key range.
    static let undoSeqStride = 2_000_000

    /// Where a batch's bookkeeping goes; nil while rehearsing (only the crosswalk and last-loaded
    /// rows are written then, which later actions of the replay read).
    struct Journal {
        let planHash: String
        let batch: Int
        let time: String
    }

    /// The rows changed since the plan read them (or present where the plan expected none).
    static func staleRows(_ actions: [TargetAction], batch: Int, store: some JournaledStore) throws -> [StaleRow] {
        let (fingerprinted, absent) = StaleRow.idsToCheck(actions)
        var current: [String: String] = [:]
        for (id, rows) in try store.rows(ids: fingerprinted) {
            if case .success(let rows) = rows { current[id] = rows.fingerprint }
        }
        let present = try store.existing(ids: absent)
        return StaleRow.find(in: actions, batch: batch, fingerprints: current, present: present)
    }

    /// Applies a batch in the store's open transaction: stale rows reported (and skipped with
    /// `skipStale`, else ``StaleBatch`` is thrown with nothing written), the rest written with the
    /// journal and the checkpoint. The first refusal is thrown.
    static func apply(
        _ actions: [TargetAction], batch: Int, planHash: String, time: String, skipStale: Bool,
        store: some JournaledStore
    ) throws -> BatchResult {
        let stale = try staleRows(actions, batch: batch, store: store)
        if !stale.isEmpty, !skipStale { throw StaleBatch(stale: stale) }
        let staleIds = Set(stale.map(\.customerId))
        let journal = Journal(planHash: planHash, batch: batch, time: time)
        let applied = try write(
            actions.filter { !staleIds.contains($0.customerId) }, batch: batch, journal: journal, store: store
        ) { throw $0 }
        try store.addCheckpoint(planHash: planHash, batch: batch, actions: applied, time: time)
        FaultPoint.reach("cutover.batch-inside-commit")
        return BatchResult(applied: applied, stale: stale)
    }

    /// Writes actions in plan order; returns how many were written. A refusal goes to `refused`, which
    /// throws (a cutover: the batch rolls back) or records it (a rehearsal: the action's savepoint is
    /// rolled back and the replay goes on). New customers in a row go to the store's bulk path first.
    static func write(
        _ actions: [TargetAction], batch: Int, journal: Journal?, store: some JournaledStore,
        refused: (RefusedAction) throws -> Void
    ) throws -> Int {
        var applied = 0
        var keysSeen = Set<String>()
        var group: [Int] = []
        var known = try store.journal(keys: actions.map(\.canonicalKey))
        func single(_ index: Int) throws {
            let action = actions[index]
            try store.savepoint("custmig_action")
            do {
                if !keysSeen.insert(action.canonicalKey).inserted {
                    // The second pass of a reference cycle meets its first pass's journal.
                    let again = try store.journal(keys: [action.canonicalKey])
                    known.loaded[action.canonicalKey] = again.loaded[action.canonicalKey]
                    known.crosswalked.formUnion(again.crosswalked)
                }
                try writeOne(action, index: index, journal: journal, known: known, store: store)
                try store.release("custmig_action")
                applied += 1
            } catch {
                guard let refusal = store.refusal(error, batch: batch, action: action) else { throw error }
                try store.rollback(to: "custmig_action")
                try store.release("custmig_action")
                try refused(refusal)
            }
        }
        func flush() throws {
            defer { group.removeAll(keepingCapacity: true) }
            guard group.count > 1 else { return try group.forEach(single) }
            try store.savepoint("custmig_new_customers")
            do {
                if try store.insertNewCustomers(group.map { (actions[$0], $0) }, journal: journal, known: known) {
                    try store.release("custmig_new_customers")
                    for index in group { keysSeen.insert(actions[index].canonicalKey) }
                    applied += group.count
                    return
                }
                try store.release("custmig_new_customers")
            } catch {
                guard store.refusal(error, batch: batch, action: actions[group[0]]) != nil else { throw error }
                // Written one by one, the refused customer is named.
                try store.rollback(to: "custmig_new_customers")
                try store.release("custmig_new_customers")
            }
            try group.forEach(single)
        }
        for (index, action) in actions.enumerated() {
            let fresh = known.loaded[action.canonicalKey] == nil && !known.crosswalked.contains(action.canonicalKey)
            if action.insertsNewCustomer, fresh, !keysSeen.contains(action.canonicalKey),
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

    /// One action: its rows (only what differs from the rows as the plan read them) and its journal.
    private static func writeOne(
        _ action: TargetAction, index: Int, journal: Journal?,
        known: (loaded: [String: LoadedRecord], crosswalked: Set<String>), store: some JournaledStore
    ) throws {
        let images = action.images
        var before = images.beforeText
        if action.kind == .references,
            case .success(let rows)? = try store.rows(ids: [action.customerId])[action.customerId]
        {
            before = StoredImageText.text(rows) { CustomerImage(rows: rows).jsonText }
        }
        try store.writeRows(action, rows: images.rows, before: images.beforeRows)
        var afterHash = images.fingerprint
        if action.kind == .upsertWithoutReferences,
            case .success(let rows)? = try store.rows(ids: [action.customerId])[action.customerId]
        {
            afterHash = rows.fingerprint
        }
        try store.recordLoaded(
            action, images: images, planHash: journal?.planHash ?? "rehearsal", time: journal?.time ?? "")
        if let journal {
            try store.appendUndo(
                UndoEntry(
                    planHash: journal.planHash, batch: journal.batch, seq: journal.batch * undoSeqStride + index,
                    canonicalKey: action.canonicalKey, customerId: action.customerId, beforeImage: before,
                    afterHash: afterHash, crosswalkCreated: !known.crosswalked.contains(action.canonicalKey),
                    loadedBefore: known.loaded[action.canonicalKey]))
        }
    }

    /// Undoes one batch in the store's open transaction: each entry, newest first, restores the
    /// customer's before-image or deletes the customer it created — unless the row was edited since
    /// (kept and reported) or a customer the cutover did not create refers to it (kept and reported).
    /// The journal is then put back as the oldest undone entry of each key had it, set-based, and the
    /// batch's entries and checkpoint go with it.
    static func undo(batch: Int, planHash: String, isLast: Bool, store: some JournaledStore) throws -> UndoOutcome {
        var result = UndoOutcome()
        var restoredIds = Set<String>()
        let entries = try store.undoEntries(planHash: planHash, batch: batch)
        // The batch's rows in one read; a customer with two entries (both passes of a reference
        // cycle) is read again once its first entry is undone.
        var rowsNow = try store.rows(ids: Array(Set(entries.map(\.customerId))))
        var seen = Set<String>()
        /// The journal's last word per key (entries go newest first, so the oldest wins).
        var loadedBefore: [String: UndoEntry?] = [:]
        var crosswalkGone = Set<String>()
        var laterDeletes: [String] = []
        let entryCounts = entries.reduce(into: [String: Int]()) { $0[$1.customerId, default: 0] += 1 }
        for entry in entries {
            let (id, key) = (entry.customerId, entry.canonicalKey)
            if !seen.insert(id).inserted { rowsNow[id] = try store.rows(ids: [id])[id] }
            let before = entry.beforeImage.flatMap(StoredImageText.rows)
            let now: CustomerRows? = if case .success(let rows)? = rowsNow[id] { rows } else { nil }
            let current = now?.fingerprint
            var undone = false
            if current == nil && before == nil {
                // Already gone.
            } else if let before, current != entry.afterHash, current == before.fingerprint {
                // Already as it was (restored by an undo killed before its journal was written).
                if restoredIds.insert(id).inserted { result.restored += 1 }
                undone = true
            } else if current != entry.afterHash {
                let why =
                    current == nil
                    ? "deleted in the target since the cutover" : "edited in the target since the cutover"
                result.kept.append("\(key) (\(id)): \(why)")
            } else if let before {
                try store.writeRows(
                    TargetAction(kind: .upsert, canonicalKey: key, customerId: id, image: CustomerImage()),
                    rows: before,
                    before: now)
                if restoredIds.insert(id).inserted { result.restored += 1 }
                undone = true
            } else if let referrer = try store.referrer(of: id) {
                result.kept.append(
                    "\(key) (\(id)): referenced by customer \(referrer), which the cutover did not create")
            } else {
                if store.deletesInBulk && entryCounts[id] == 1 {
                    laterDeletes.append(id)  // not looked at again: deleted with the batch's others
                } else {
                    try store.deleteCustomer(id)
                }
                result.deleted += 1
                if restoredIds.remove(id) != nil { result.restored -= 1 }
                undone = true
            }
            if undone {
                if entry.crosswalkCreated { crosswalkGone.insert(key) }
                loadedBefore[key] = .some(entry.loadedBefore == nil ? nil : entry)
            }
            FaultPoint.reach("rollback.customer-undone")
        }
        if !laterDeletes.isEmpty { try store.deleteCustomers(laterDeletes) }
        try store.removeCrosswalk(keys: Array(crosswalkGone))
        try store.forgetLoaded(keys: loadedBefore.compactMap { $0.value == nil ? $0.key : nil })
        for case (let key, let entry?) in loadedBefore { try store.restoreLoaded(key: key, from: entry) }
        try store.removeUndo(planHash: planHash, batch: batch)
        try store.removeCheckpoint(planHash: planHash, batch: batch)
        if isLast { try store.removeBatchLayout(planHash: planHash) }
        FaultPoint.reach("rollback.batch-inside-commit")
        return result
    }
}
