/// How far a long stage has got, as the core tells it: the command line draws it (rate and ETA on
/// stderr), the library never prints. `total` is nil when the stage cannot know it in advance.
public struct StageProgress: Sendable {
    public enum Unit: String, Sendable {
        case bytes, records, customers, batches, pairs, rows, steps
    }

    public var activity: String
    public var done: Int64
    public var total: Int64?
    public var unit: Unit
    /// Said after the counts (calls and retries of a target whose writes are calls, say).
    public var detail: String?

    public init(_ activity: String, done: Int64, total: Int64?, unit: Unit, detail: String? = nil) {
        self.activity = activity
        self.done = done
        self.total = total
        self.unit = unit
        self.detail = detail
    }
}

/// Where a stage reports its progress; nil or a no-op when nobody watches.
public typealias ProgressHandler = @Sendable (StageProgress) -> Void
