import Foundation
import GRDB

/// Writes a plan's actions to the ledger in order, numbering them and cutting the writing ones into
/// the batches the cutover will apply (and the dry run replays).
struct PlanWriter {
    let plan: Int64
    let ledger: Ledger
    let batchSize: Int
    private var buffer: [Planner.ActionRow] = []
    private var seq = 0
    private var writes = 0

    init(plan: Int64, ledger: Ledger, batchSize: Int) {
        self.plan = plan
        self.ledger = ledger
        self.batchSize = batchSize
    }

    var batches: Int { (writes + batchSize - 1) / batchSize }

    mutating func append(_ row: Planner.ActionRow) throws {
        buffer.append(row)
        // Large transactions: a plan being built is thrown away if the dry run dies, so the ledger's
        // per-commit fsync buys nothing here.
        if buffer.count >= 20_000 { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let rows = buffer
        buffer.removeAll(keepingCapacity: true)
        var seq = self.seq
        var writes = self.writes
        try ledger.database.write { db in
            let statement = try RawStatement(
                db,
                sql: """
                    INSERT INTO plan_action (plan_id, seq, batch, canonical_key, legacy_key, customer_id, action, apply_kind,
                    reason, fingerprint, expect_absent, before_image, image, changes, name, country, source_hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for row in rows {
                var batch: Int?
                if row.applyKind != nil, row.action.writes {
                    batch = writes / batchSize
                    writes += 1
                }
                let keepsImages = row.action != .unchanged && row.action != .reject
                let changes = row.changes.isEmpty ? nil : FieldChange.jsonText(row.changes)
                try statement.run { bind in
                    bind.int(Int(plan))
                    bind.int(seq)
                    bind.optionalInt(batch)
                    bind.text(row.key)
                    bind.text(row.legacyKey)
                    bind.text(row.customerId)
                    bind.text(row.action.rawValue)
                    bind.text(batch == nil ? nil : row.applyKind?.rawValue)
                    bind.text(row.reason)
                    bind.text(row.fingerprint)
                    bind.bool(row.expectAbsent)
                    bind.text(keepsImages ? row.before?.jsonText : nil)
                    bind.text(keepsImages ? row.image?.jsonText : nil)
                    bind.text(changes)
                    bind.text(row.name)
                    bind.text(row.country)
                    bind.text(row.sourceHash)
                }
                seq += 1
            }
        }
        self.seq = seq
        self.writes = writes
    }
}
