/// Whether an extract is the whole customer master or only the changes; the dry run needs to know
/// before it treats a customer missing from the extract as gone.
public enum MapScope: String, Sendable, Codable, CaseIterable {
    case full
    case delta
}

/// What `custmig map` is asked to do.
public struct MapOptions: Sendable {
    public var mappingPath: String
    public var extracts: [String]
    public var scope: MapScope
    /// Records per checkpoint: each chunk commits with its checkpoint in one transaction.
    public var chunkSize: Int
    /// The command line, recorded with the run and in the workspace lock.
    public var command: String
    public var custmigVersion: String
    /// Personal data masked in the findings report (the ledger keeps the values for the steward).
    public var maskPII = false

    public init(
        mappingPath: String, extracts: [String], scope: MapScope = .full, chunkSize: Int = 5_000, command: String,
        custmigVersion: String
    ) {
        self.mappingPath = mappingPath
        self.extracts = extracts
        self.scope = scope
        self.chunkSize = max(1, chunkSize)
        self.command = command
        self.custmigVersion = custmigVersion
    }
}
