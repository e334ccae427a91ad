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
    public var rehearsal = Rehearsal.automatic
    /// Told what the dry run is doing (planning, rehearsing, writing reports) and how far it got.
    public var progress: ProgressHandler?
    public var command: String

    public init(command: String) { self.command = command }
}

/// Where the dry run replays its plan to find what the target refuses.
public enum Rehearsal: String, Sendable, CaseIterable {
    /// In the target, in one transaction rolled back at the end (the target is never changed).
    case inPlace = "in-place"
    /// On a scratch copy of the target in the workspace, deleted afterwards.
    case onCopy = "copy"
    /// On a copy when the plan writes more than the target holds and at least 10,000 customers
    /// (a first load), else in place.
    case automatic

    func onCopy(writes: Int, targetBytes: Int64) -> Bool {
        switch self {
        case .inPlace: return false
        case .onCopy: return true
        case .automatic: return writes >= 10_000 && Int64(writes) * 2_048 > targetBytes
        }
    }
}
