/// What `custmig dry-run` was asked to do.
public struct DryRunOptions: Sendable {
    /// The map run to plan (default: the latest finished one).
    public var mapRun: Int64?
    /// Overrides the mapping's `load.batch_size`.
    public var batchSize: Int?
    /// The conflict-resolution file (default: `conflict-resolutions.csv` beside the mapping).
    public var resolutionsFile: String?
    public var maskPII = false
    /// Rows per report section before it points to the full CSV/JSON.
    public var reportLimit = 500
    public var matcher = CustomerMatcher()
    public var command: String

    public init(command: String) { self.command = command }
}
