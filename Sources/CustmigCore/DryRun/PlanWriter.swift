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
        if buffer.count >= 2_000 { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let rows = buffer
        buffer.removeAll(keepingCapacity: true)
        var seq = self.seq
        var writes = self.writes
        try ledger.database.write { db in
            let statement = try db.cachedStatement(
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
                try statement.execute(arguments: [
                    plan, seq, batch, row.key, row.legacyKey, row.customerId, row.action.rawValue,
                    batch == nil ? nil : row.applyKind?.rawValue,
                    row.reason, row.fingerprint, row.expectAbsent, keepsImages ? row.before?.jsonText : nil,
                    keepsImages ? row.image?.jsonText : nil, changes, row.name, row.country, row.sourceHash,
                ])
                seq += 1
            }
        }
        self.seq = seq
        self.writes = writes
    }
}
