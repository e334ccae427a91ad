import Foundation

/// The surgical rollback in the PostgreSQL target: the undo log read back batch by batch, each batch
/// undone in one transaction with its entries and checkpoint.
extension PostgreSQLTarget {
    public func undoBatches(planHash: String) throws -> [Int] {
        try connection.execute(
            "SELECT DISTINCT (seq / $1::bigint)::text AS b, seq / $1::bigint FROM custmig_undo WHERE plan_hash = $2 ORDER BY 2 DESC",
            [String(JournaledBatch.undoSeqStride), planHash]
        ).compactMap { $0[0].flatMap { Int($0) } }
    }

    public func undo(batch: Int, planHash: String, isLast: Bool) throws -> UndoOutcome {
        do {
            return try connection.transaction {
                try JournaledBatch.undo(batch: batch, planHash: planHash, isLast: isLast, store: self)
            }
        } catch let error as PGError {
            throw Self.failure(error, doing: "undo batch \(batch + 1)", location: postgres)
        }
    }
}
