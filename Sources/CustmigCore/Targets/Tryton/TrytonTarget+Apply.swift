import Foundation
import Synchronization

/// Applying a batch without target transactions: intents first, then calls (split until a refused
/// customer stands alone), then the outcome and the journal in one write to the workspace's journal.
extension TrytonTarget {
    /// One customer's work in a batch.
    /// A party an answered create made: its code, Tryton's id and the values the call sent.
    ///
    /// Sendable by hand only for `values`, typed `Any` as the JSON-RPC call takes them: they are made
    /// by the call's worker and never changed after (strings, numbers, arrays, dictionaries).
    private struct CreatedParty: @unchecked Sendable {
        let code: String
        let id: Int
        let values: [String: Any]
    }

    private struct Work {
        var index: Int
        var action: TargetAction
        var rows: CustomerRows
        var imageText: String
        var fingerprint: String
        var current: Resolved?
        var order: TrytonMapping.ChildOrder = []
    }

    @discardableResult
    public func apply(batch: Int, actions: [TargetAction], planHash: String, skipStale: Bool) throws -> BatchResult {
        let time = ISO8601DateFormatter().string(from: Date())
        let current = try resolved(ids: actions.map(\.customerId))
        var works: [Work] = []
        for (index, action) in actions.enumerated() {
            var rows = action.images.rows
            if action.kind == .deactivate {
                rows = current[action.customerId]?.rows ?? rows
                rows.customer["status"] = "inactive"
            }
            let image = CustomerImage(rows: rows)
            works.append(
                Work(
                    index: index, action: action, rows: rows, imageText: image.jsonText, fingerprint: image.fingerprint,
                    current: current[action.customerId]))
        }
        // Staleness, where a row carrying our own earlier, unrecorded call counts as the plan expected it.
        var fingerprints: [String: String] = [:]
        var present = Set<String>()
        for work in works {
            guard let now = work.current else { continue }
            let ours = now.landedIntent && now.rows.fingerprint == work.fingerprint
            fingerprints[work.action.customerId] = ours ? work.action.expectedFingerprint : now.rows.fingerprint
            if !ours { present.insert(work.action.customerId) }
        }
        let stale = StaleRow.find(in: actions, batch: batch, fingerprints: fingerprints, present: present)
        if !stale.isEmpty, !skipStale { throw StaleBatch(stale: stale) }
        let staleIds = Set(stale.map(\.customerId))
        works.removeAll { staleIds.contains($0.action.customerId) }

        var refused: [RefusedAction] = []
        var creates: [Work] = []
        var writes: [Work] = []
        var done: [Work] = []
        for var work in works {
            if let now = work.current, now.rows.fingerprint == work.fingerprint {
                done.append(work)  // already as the plan wants it (an earlier, unrecorded call landed)
                continue
            }
            do {
                let values = try TrytonMapping.partyValues(
                    work.rows, code: work.action.customerId, catalog: catalog, replacing: work.current?.party)
                work.order = values.order
                if work.current == nil { creates.append(work) } else { writes.append(work) }
            } catch {
                refused.append(
                    RefusedAction(
                        batch: batch, canonicalKey: work.action.canonicalKey, customerId: work.action.customerId,
                        message: error.message, kind: .reference, field: error.field))
            }
        }
        // The intents, durable before any call.
        try journal.markPending(
            creates.map { ($0.action.customerId, $0.imageText) }, call: "create", planHash: planHash, batch: batch)
        try journal.markPending(
            writes.map { ($0.action.customerId, $0.imageText) }, call: "write", planHash: planHash, batch: batch)
        FaultPoint.reach("cutover.intents-journaled")

        var landed: [Work] = done
        // What each answered create sent and the id Tryton gave it: the party is known without reading it.
        let creations = Mutex<[CreatedParty]>([])
        let catalog = catalog
        landed += try sendInParallel(creates.chunked(callSize).map(Array.init), batch: batch, refused: &refused) {
            client, group in
            let values = try group.map { work in
                try TrytonMapping.partyValues(work.rows, code: work.action.customerId, catalog: catalog).values
            }
            let ids = (try client.call("party.party", "create", [values]) as? [Any])?.compactMap {
                ($0 as? NSNumber)?.intValue
            }
            guard let ids, ids.count == group.count else { return }
            let made = zip(group, zip(ids, values)).map {
                CreatedParty(code: $0.action.customerId, id: $1.0, values: $1.1)
            }
            creations.withLock { $0 += made }
        }
        let created = creations.withLock { $0 }.map { ($0.code, $0.id, $0.values) }
        landed += try sendInParallel(writes.chunked(callSize).map(Array.init), batch: batch, refused: &refused) {
            client, group in
            var params: [Any] = []
            for work in group {
                let values = try TrytonMapping.partyValues(
                    work.rows, code: work.action.customerId, catalog: catalog, replacing: work.current?.party
                ).values
                params += [[work.current!.party.id], values]
            }
            _ = try client.call("party.party", "write", params)
        }
        try journal.clearPending(codes: refused.map(\.customerId))

        // The outcome and the journal, in one write.
        FaultPoint.reach("cutover.calls-landed")
        let after = try landedParties(landed.map(\.action.customerId), created: created)
        landed.sort { $0.index < $1.index }
        let known = try journal.queue.read { db in
            try TrytonJournal.journal(keys: landed.map(\.action.canonicalKey), db: db)
        }
        try journal.queue.write { db in
            try TrytonJournal.recordOutcome(
                landed.compactMap { work in
                    guard let party = after[work.action.customerId] else { return nil }
                    let rowIds =
                        work.order.isEmpty ? (work.current?.record?.rowIds ?? [:]) : party.rowIds(order: work.order)
                    return (work.action.customerId, party, work.imageText, rowIds)
                }, db: db)
            var seen = Set<String>()
            for work in landed {
                let action = work.action
                try TrytonJournal.recordLoaded(
                    key: action.canonicalKey, id: action.customerId, how: action.crosswalk, image: work.imageText,
                    imageHash: work.fingerprint, sourceHash: action.sourceHash, planHash: planHash, time: time, db: db)
                guard seen.insert(action.canonicalKey).inserted else { continue }
                try TrytonJournal.appendUndo(
                    UndoEntry(
                        planHash: planHash, batch: batch, seq: batch * JournaledBatch.undoSeqStride + work.index,
                        canonicalKey: action.canonicalKey, customerId: action.customerId,
                        // As the plan read it: a party an earlier, killed run created is still one this plan creates.
                        beforeImage: action.images.beforeText,
                        afterHash: work.fingerprint, crosswalkCreated: !known.crosswalked.contains(action.canonicalKey),
                        loadedBefore: known.loaded[action.canonicalKey]), db: db)
            }
            try TrytonJournal.addRefusals(refused, planHash: planHash, db: db)
            try TrytonJournal.addCheckpoint(planHash: planHash, batch: batch, actions: landed.count, time: time, db: db)
        }
        return BatchResult(applied: landed.count, stale: stale, refused: refused)
    }

    /// The landed parties as Tryton now holds them. Those an answered create made are known from what
    /// the call sent and their children (``TrytonParties/created(_:defaults:client:)``); the first such
    /// read of a run is checked against a full read of one call's parties, and a target whose parties
    /// differ from what was sent (a module that fills or rewrites party fields) is read in full from
    /// then on.
    private func landedParties(
        _ codes: [String], created: [(code: String, id: Int, values: [String: Any])]
    ) throws -> [String: TrytonParty] {
        let known = lightReadBack ? created : []
        let createdCodes = Set(known.map(\.code))
        var parties = try TrytonParties.read(
            codes: codes.filter { !createdCodes.contains($0) }, client: client, values: companyValues)
        guard !known.isEmpty else { return parties }
        var light = try TrytonParties.created(known, defaults: catalog.partyDefaults, client: client)
        if !lightReadBackChecked {
            lightReadBackChecked = true
            // A sample is enough: the parties of one call (a full read costs three times the light one).
            let sample = try TrytonParties.read(
                codes: Array(createdCodes.sorted().prefix(callSize)), client: client, values: companyValues)
            if sample.contains(where: { code, party in light[code]?.sameContent(as: party) != true }) {
                lightReadBack = false
                light = try TrytonParties.read(codes: Array(createdCodes), client: client, values: companyValues)
            }
        }
        parties.merge(light) { _, new in new }
        return parties
    }

    /// Sends the calls of `groups`, up to one per connection at a time (`--connections`); every intent is
    /// journaled before, so calls in flight together are resolved on a restart like one alone. When a
    /// call fails for good, the calls under way finish, no new one starts, and the failure is thrown.
    private func sendInParallel(
        _ groups: [[Work]], batch: Int, refused: inout [RefusedAction],
        call: @escaping @Sendable (JSONRPCClient, [Work]) throws -> Void
    ) throws -> [Work] {
        let resolver = resolver
        if connections.count == 1 || groups.count <= 1 {
            var landed: [Work] = []
            for group in groups {
                landed += try Self.send(
                    group, on: client, batch: batch, refused: &refused, resolver: resolver, call: call)
            }
            return landed
        }
        // The next group to send, what landed and was refused, and the first failure (no group starts after it).
        let shared = Mutex<(next: Int, landed: [Work], refusals: [RefusedAction], failure: (any Error)?)>(
            (0, [], [], nil))
        let connections = PerWorker(connections)
        DispatchQueue.concurrentPerform(iterations: min(connections.count, groups.count)) { worker in
            while true {
                let index: Int? = shared.withLock { state in
                    defer { state.next += 1 }
                    return state.failure == nil && state.next < groups.count ? state.next : nil
                }
                guard let index else { return }
                var refused: [RefusedAction] = []
                do {
                    let done = try Self.send(
                        groups[index], on: connections[worker], batch: batch, refused: &refused, resolver: resolver,
                        call: call)
                    shared.withLock { state in
                        state.landed += done
                        state.refusals += refused
                    }
                } catch {
                    shared.withLock { state in
                        if state.failure == nil { state.failure = error }
                        state.refusals += refused
                    }
                }
            }
        }
        let (landed, refusals, failure) = shared.withLock { ($0.landed, $0.refusals, $0.failure) }
        refused += refusals
        if let failure { throw failure }
        return landed
    }

    /// Sends a group in one call; a call Tryton refuses for its data is split in halves until the
    /// refused customers stand alone (they become refusals with Tryton's message), the rest land.
    private static func send(
        _ group: [Work], on client: JSONRPCClient, batch: Int, refused: inout [RefusedAction], resolver: Resolver,
        call: (JSONRPCClient, [Work]) throws -> Void
    ) throws -> [Work] {
        guard !group.isEmpty else { return [] }
        do {
            try call(client, group)
            return group
        } catch let error as TrytonError where error.isDataRefusal {
            // A retried call whose first attempt landed unanswered (a lost answer) is refused as a
            // duplicate: what already stands in Tryton as our intent wants it has landed, the rest goes
            // again. A call answered at its first attempt was refused for its data: no lookup.
            if client.lastCallRetried {
                let now = try resolver.resolved(ids: group.map(\.action.customerId), on: client)
                let already = group.filter { work in
                    guard let party = now[work.action.customerId] else { return false }
                    return party.landedIntent && party.rows.fingerprint == work.fingerprint
                }
                if !already.isEmpty {
                    let ids = Set(already.map(\.action.customerId))
                    return try already
                        + send(
                            group.filter { !ids.contains($0.action.customerId) }, on: client, batch: batch,
                            refused: &refused, resolver: resolver, call: call)
                }
            }
            if group.count == 1 {
                let work = group[0]
                refused.append(
                    RefusedAction(
                        batch: batch, canonicalKey: work.action.canonicalKey, customerId: work.action.customerId,
                        message: "Tryton refused it: \(error)", kind: .constraint, cause: error))
                return []
            }
            // Tryton's message quotes the value it refused (`The phone number "+33…" for party "…"`,
            // `IBAN "NL38 0673 …" is not valid`): the one customer holding it goes alone, the rest again.
            if let suspect = Self.suspect(quotedIn: "\(error)", among: group) {
                var rest = group
                let alone = rest.remove(at: suspect)
                return try send([alone], on: client, batch: batch, refused: &refused, resolver: resolver, call: call)
                    + send(rest, on: client, batch: batch, refused: &refused, resolver: resolver, call: call)
            }
            let middle = group.count / 2
            return try send(
                Array(group[..<middle]), on: client, batch: batch, refused: &refused, resolver: resolver, call: call)
                + send(
                    Array(group[middle...]), on: client, batch: batch, refused: &refused, resolver: resolver, call: call
                )
        } catch let error as TrytonMapping.Unresolvable {
            throw CustmigError(.internalFailure, code: "TRYTON-MAPPING", error.message)
        }
    }

    /// The index of the one customer in `group` holding every value the message quotes that any of them
    /// holds (compared without spaces and case), or nil when the quotes point at none or at several.
    private static func suspect(quotedIn message: String, among group: [Work]) -> Int? {
        func compact(_ text: Substring) -> String { text.uppercased().filter { $0 != " " } }
        let quoted = message.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { compact($0.element) }.filter { $0.count >= 4 }
        guard !quoted.isEmpty, group.count > 1 else { return nil }
        let values = group.map { Set(CustomerImage(rows: $0.rows).values.values.map { compact(Substring($0)) }) }
        var candidates: Set<Int>?
        for text in quoted {
            let holders = Set(values.indices.filter { values[$0].contains(text) })
            guard !holders.isEmpty else { continue }
            candidates = candidates.map { $0.intersection(holders) } ?? holders
        }
        guard let candidates, candidates.count == 1 else { return nil }
        return candidates.first
    }
}
