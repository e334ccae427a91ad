import GRDB

/// How a cutover cuts a plan into batches, each one target transaction with its checkpoint: the
/// plan's own batches (its `--batch-size` at the dry run), or `--batch-size N` at the cutover, which
/// takes the plan's applicable actions in plan order, N at a time. The choice is written into the
/// target's bookkeeping before the first batch, so a resumed cutover cuts the same batches (a
/// different size would make "batch 7 is committed" mean other customers).
struct CutoverBatches {
    /// nil: the plan's own batches.
    let size: Int?
    let count: Int
    /// With `size`: the first and last plan `seq` of each batch.
    private let bounds: [(first: Int64, last: Int64)]

    static let sizes = 1...1_000_000

    init(plan: Int64, size: Int?, ledger: Ledger) throws {
        self.size = size
        guard let size else {
            count = try ledger.database.read { db in try PlanStore.batchCount(plan: plan, db: db) }
            bounds = []
            return
        }
        let seqs = try ledger.database.read { db in try PlanStore.appliedSeqs(plan: plan, db: db) }
        bounds = stride(from: 0, to: seqs.count, by: size).map { (seqs[$0], seqs[min($0 + size, seqs.count) - 1]) }
        count = bounds.count
    }

    /// The actions of batch `batch`, in plan order.
    func actions(plan: Int64, batch: Int, database: DatabasePool) throws -> [TargetAction] {
        // Read ahead on a task of its own beside the writer: no more workers than that.
        guard size != nil else { return try PlanStore.targetActions(plan: plan, batch: batch, database: database) }
        return try PlanStore.targetActions(
            plan: plan, seqs: bounds[batch].first...bounds[batch].last, database: database)
    }

    /// The bookkeeping key under which the target keeps a plan's batch layout.
    /// How the layout is written down: `plan`, or the size.
    var recorded: String { size.map(String.init) ?? "plan" }

    static func describe(_ recorded: String) -> String {
        recorded == "plan"
            ? "the plan's own batches (no --batch-size)" : "batches of \(recorded) (--batch-size \(recorded))"
    }
}
