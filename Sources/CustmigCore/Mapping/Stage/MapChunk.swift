/// The records mapped since the last checkpoint, committed together with the next checkpoint.
struct MapChunk {
    struct Item {
        var mapped: MappedRecord
        /// The `same_key: highest:FIELD` value, if the policy has one.
        var sequence: String?
        /// The canonical customer as stored (made on the mapping threads, not the ledger's).
        var json: String = "{}"
        var references: String = ""
    }

    var items: [Item] = []
    var malformed: [Finding] = []
    var read = 0
    /// Joined-file rows this chunk's records took, as (source, key): what is left over is an orphan.
    var claims: [(String, String)] = []

    var isEmpty: Bool { items.isEmpty && malformed.isEmpty }
}

/// Where reading stands in one input: what a checkpoint stores.
struct ReadPosition: Codable {
    var byteOffset: Int64?
    var line: Int
    /// Index of the next record to read.
    var recordIndex: Int
}

/// Cumulative counts of one input, stored with its checkpoint.
struct InputCounts: Codable {
    var read = 0
    var malformed = 0
    var superseded = 0
}
