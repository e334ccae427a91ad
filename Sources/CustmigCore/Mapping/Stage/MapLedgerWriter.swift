import Foundation
import GRDB

/// Writes one map run's chunks into the ledger: records (with the `same_key` policy), findings,
/// malformed records, unique values and the checkpoint, all in one transaction per chunk.
///
/// Sendable by hand: `commit` (the only user of the unique-value check and the findings' shared
/// sentences) runs on the map pipeline's write step (``ChunkPipeline``), one call at a time and in
/// order; other tasks read only its constants.
final class MapLedgerWriter: @unchecked Sendable {
    let ledger: Ledger
    let run: Int64
    let policy: SameKeyPolicy
    private let unique: UniqueCheck
    private var findingTexts: FindingStore.Texts?

    init(ledger: Ledger, run: Int64, mapping: Mapping) throws {
        self.ledger = ledger
        self.run = run
        policy = mapping.source.sameKey
        unique = UniqueCheck(mapping: mapping)
    }

    /// Commits a chunk and the checkpoint that follows it; returns the chunk's superseded count.
    @discardableResult
    func commit(_ chunk: MapChunk, input: Int, next: ReadPosition, done: Bool, counts: inout InputCounts) throws -> Int
    {
        var superseded = 0
        var chunk = chunk
        var committed = false
        defer { findingTexts?.settle(committed: committed) }
        try ledger.database.write { db in
            // Unique values first, in extract order (whichever record later wins its key: the engine
            // saw them all), so that a repeat's finding and status are stored with its record.
            for number in chunk.items.indices where !chunk.items[number].uniqueValues.isEmpty {
                try unique.register(&chunk.items[number], input: input, run: run, db: db)
            }
            // Bound straight through SQLite's API (GRDB's argument boxing cost the ledger's thread more
            // than SQLite's own work on these rows), many rows per statement. A key stored before is
            // skipped by the insert and settled afterwards by the `same_key` policy: the ledger's
            // primary key finds repeats, so nothing per key is kept in memory (at 5M records a table of
            // key fingerprints alone grew the peak by ~100 MB).
            let records = CanonicalStore.inserter(db: db)
            let runId = Int(run)
            let keys = chunk.items.map { $0.storedKey(input: input) }
            func bindRecord(_ number: Int, _ bind: inout RawStatement.Binder) {
                // Each property read in place: a copy of the item retained and released all its strings.
                let position = chunk.items[number].position
                CanonicalStore.bind(
                    &bind, run: runId, legacyKey: keys[number], key: chunk.items[number].key ?? keys[number],
                    status: chunk.items[number].status, sequence: chunk.items[number].sequence,
                    data: chunk.items[number].data, references: chunk.items[number].references, input: input,
                    line: position.line, offset: position.byteOffset.map(Int.init), index: position.index,
                    dataHash: chunk.items[number].dataHash)
            }
            let skipped = try records.run(count: chunk.items.count, bind: bindRecord)
            // Items whose record is not stored (it lost to the stored one) or no longer is (a later item
            // of this chunk replaced it): their findings are not kept.
            var dropped = Set<Int>()
            if !skipped.isEmpty {
                var numberAt: [Int: Int] = [:]
                for (number, item) in chunk.items.enumerated() { numberAt[item.position.index] = number }
                for number in skipped.joined() {
                    let item = chunk.items[number]
                    guard let stored = try CanonicalStore.origin(run: run, legacyKey: keys[number], db: db)
                    else { continue }
                    let (storedInput, storedIndex) = (stored.input, stored.index)
                    if storedInput == input && storedIndex == item.position.index { continue }  // this item's own row
                    superseded += 1
                    guard wins(item.sequence, over: stored.sequence) else {
                        dropped.insert(number)
                        continue
                    }
                    if storedInput == input, let earlier = numberAt[storedIndex], earlier < number {
                        dropped.insert(earlier)
                    } else {
                        try FindingStore.delete(run: run, legacyKey: keys[number], db: db)
                    }
                    try CanonicalStore.inserter(db: db, replacing: true).run(count: 1) { _, bind in
                        bindRecord(number, &bind)
                    }
                }
            }
            var kept: [(item: Int, finding: Int)] = []
            for (number, item) in chunk.items.enumerated() where !dropped.contains(number) {
                kept += item.findings.indices.map { (number, $0) }
            }
            var texts = try findingTexts ?? FindingStore.Texts(db: db)
            let prepared = try kept.map { number, which in
                try texts.prepare(chunk.items[number].findings[which], db: db)
            }
            findingTexts = texts
            try FindingStore.inserter(db: db).run(count: kept.count) { index, bind in
                let position = chunk.items[kept[index].item].position
                FindingStore.bind(
                    &bind, run: runId, legacyKey: keys[kept[index].item], finding: prepared[index], input: input,
                    line: position.line, index: position.index)
            }
            try StagedRowStore.claim(chunk.claims, run: run, db: db)
            for finding in chunk.malformed { try MalformedStore.add(finding, run: run, input: input, db: db) }
            var updated = counts
            updated.read += chunk.read
            updated.malformed += chunk.malformed.filter { $0.severity == .error && $0.recordIndex != nil }.count
            updated.superseded += superseded
            try CheckpointStore.advance(run: run, input: input, to: next, done: done, counts: updated, db: db)
            counts = updated
            FaultPoint.reach("map.chunk-inside-commit")
        }
        committed = true
        FaultPoint.reach("map.chunk-committed")
        return superseded
    }

    /// Whether a record with `sequence` replaces the stored one under the `same_key` policy.
    private func wins(_ sequence: String?, over stored: String?) -> Bool {
        switch policy {
        case .first: return false
        case .last: return true
        case .highest:
            guard let sequence else { return false }
            guard let stored else { return true }
            if let new = Double(sequence), let old = Double(stored) { return new > old }
            return sequence > stored
        }
    }
}
