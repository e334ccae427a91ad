import Foundation

/// What an in-memory target refuses, with the kind and field a database's error codes would give.
struct InMemoryRefusal: Error, Sendable {
    var kind: RefusalKind
    var field: String?
    var message: String
}

/// The per-customer primitives of the in-memory target, checked by the schema's rules (``InMemoryRules``).
extension InMemoryTarget: JournaledStore {
    func writeRows(_ action: TargetAction, rows after: CustomerRows, before: CustomerRows?) throws {
        let id = action.customerId
        if action.kind == .deactivate {
            guard state.customers[id] != nil else { return }
            state.customers[id]!.customer["status"] = "inactive"
            return
        }
        var rows = after
        if rows.customer["status"] == nil { rows.customer["status"] = "active" }
        if action.kind == .upsertWithoutReferences {
            rows.customer["parent_id"] = nil
            rows.children["partner_function"] = rows.children["partner_function"]?.filter {
                $0.value["partner_id"] == id
            }
        }
        rows.children = rows.children.filter { !$0.value.isEmpty }
        try InMemoryRules.check(rows, id: id, state: state)
        state.customers[id] = rows
    }

    func deleteCustomer(_ id: String) throws {
        if let referrer = try referrer(of: id) {
            throw InMemoryRefusal(
                kind: .reference, field: nil, message: "customer \(referrer) refers to customer \(id) (FOREIGN KEY)")
        }
        state.customers[id] = nil
    }

    func referrer(of id: String) throws -> String? {
        state.customers.first { other, rows in
            other != id
                && (rows.customer["parent_id"] == id
                    || (rows.children["partner_function"] ?? [:]).values.contains { $0["partner_id"] == id })
        }?.key
    }

    func journal(keys: [String]) throws -> (loaded: [String: LoadedRecord], crosswalked: Set<String>) {
        var loaded: [String: LoadedRecord] = [:]
        var crosswalked = Set<String>()
        for key in keys {
            if let record = state.loaded[key] { loaded[key] = record }
            if state.crosswalk[key] != nil { crosswalked.insert(key) }
        }
        return (loaded, crosswalked)
    }

    func recordLoaded(_ action: TargetAction, images: PreparedImages, planHash: String, time: String) throws {
        if var entry = state.crosswalk[action.canonicalKey] {
            entry.imageHash = images.fingerprint
            entry.sourceHash = action.sourceHash ?? entry.sourceHash
            state.crosswalk[action.canonicalKey] = entry
        } else {
            if let holder = state.crosswalk.first(where: { $0.value.customerId == action.customerId }) {
                throw InMemoryRefusal(
                    kind: .duplicate, field: nil,
                    message: "target customer \(action.customerId) is crosswalked to \(holder.key) already (UNIQUE)")
            }
            state.crosswalk[action.canonicalKey] = .init(
                customerId: action.customerId, how: action.crosswalk, imageHash: images.fingerprint,
                sourceHash: action.sourceHash, planHash: planHash, loadedAt: time)
        }
        let previous = state.loaded[action.canonicalKey]
        state.loaded[action.canonicalKey] = LoadedRecord(
            image: images.loadedText, imageHash: images.fingerprint,
            sourceHash: action.sourceHash ?? previous?.sourceHash,
            planHash: planHash, loadedAt: time)
    }

    func appendUndo(_ entry: UndoEntry) throws { state.undo[entry.planHash, default: [:]][entry.seq] = entry }

    func undoEntries(planHash: String, batch: Int) throws -> [UndoEntry] {
        let range = (batch * JournaledBatch.undoSeqStride)..<((batch + 1) * JournaledBatch.undoSeqStride)
        return (state.undo[planHash] ?? [:]).filter { range.contains($0.key) }.sorted { $0.key > $1.key }.map(\.value)
    }

    func removeUndo(planHash: String, batch: Int) throws {
        let range = (batch * JournaledBatch.undoSeqStride)..<((batch + 1) * JournaledBatch.undoSeqStride)
        state.undo[planHash] = state.undo[planHash]?.filter { !range.contains($0.key) }
        if state.undo[planHash]?.isEmpty == true { state.undo[planHash] = nil }
    }

    func removeCrosswalk(keys: [String]) throws { for key in keys { state.crosswalk[key] = nil } }

    func forgetLoaded(keys: [String]) throws { for key in keys { state.loaded[key] = nil } }

    func restoreLoaded(key: String, from entry: UndoEntry) throws {
        guard let before = entry.loadedBefore else { return try forgetLoaded(keys: [key]) }
        var restored = before
        restored.planHash = before.planHash ?? state.loaded[key]?.planHash
        restored.loadedAt = before.loadedAt ?? state.loaded[key]?.loadedAt
        state.loaded[key] = restored
        state.crosswalk[key]?.imageHash = before.imageHash
        state.crosswalk[key]?.sourceHash = before.sourceHash
    }

    func addCheckpoint(planHash: String, batch: Int, actions: Int, time: String) throws {
        state.checkpoints[planHash, default: [:]][batch] = actions
    }

    func removeCheckpoint(planHash: String, batch: Int) throws {
        state.checkpoints[planHash]?[batch] = nil
        if state.checkpoints[planHash]?.isEmpty == true { state.checkpoints[planHash] = nil }
    }

    func removeBatchLayout(planHash: String) throws { state.meta["cutover_batches/" + planHash] = nil }

    func insertNewCustomers(
        _ group: [(action: TargetAction, index: Int)], journal: JournaledBatch.Journal?,
        known: (loaded: [String: LoadedRecord], crosswalked: Set<String>)
    ) throws -> Bool { false }

    func refusal(_ error: Error, batch: Int, action: TargetAction) -> RefusedAction? {
        guard let error = error as? InMemoryRefusal else { return nil }
        return RefusedAction(
            batch: batch, canonicalKey: action.canonicalKey, customerId: action.customerId, message: error.message,
            kind: error.kind, field: error.field, cause: error)
    }
}
