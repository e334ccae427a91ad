/// The records mapped since the last checkpoint, committed together with the next checkpoint.
struct MapChunk {
    /// One mapped record as the ledger stores it: rendered by the mapping tasks, so the write step only
    /// binds strings (and no canonical customer is copied or kept past rendering).
    struct Item {
        /// The legacy key, or nil when the record has no customer (it is then stored under its position).
        var legacyKey: String?
        var key: String?
        var findings: [MappingFinding]
        var position: SourcePosition
        var uniqueValues: [UniqueValue]
        var status: String
        /// The `same_key: highest:FIELD` value, if the policy has one.
        var sequence: String?
        /// The canonical customer as stored (``CanonicalStore/encode(_:)``; `{}` without one).
        var data: [UInt8]
        /// ``CustomerSet/recordHash(_:)`` of the customer's JSON, taken on the mapping threads.
        var dataHash: Hash128?
        var references: String

        /// The key the ledger stores the record under: its legacy key, or its position in the input.
        func storedKey(input: Int) -> String { legacyKey ?? "#\(input):\(position.index)" }

        /// Adds a finding settled after mapping (a repeated `unique` value) and the status it implies.
        mutating func add(_ finding: MappingFinding) {
            findings.append(finding)
            status = Self.status(of: findings)
        }

        static func status(of findings: [MappingFinding]) -> String {
            if findings.contains(where: { $0.outcome == .reject }) { return "rejected" }
            return findings.contains(where: { $0.outcome == .review }) ? "review" : "ok"
        }

        init(_ mapped: consuming MappedRecord, sequence: String?) {
            findings = mapped.findings
            position = mapped.position
            uniqueValues = mapped.uniqueValues
            status = Self.status(of: findings)
            self.sequence = sequence
            // The customer moved out, not copied: a copy retained and released each of its strings and lists.
            if let customer = mapped.customer.take() {
                legacyKey = customer.legacyKey
                key = customer.key
                data = CanonicalStore.encode(customer)
                dataHash = customer.recordHash
                references = customer.sortedReferences.joined(separator: " ")
            } else {
                legacyKey = nil
                key = nil
                data = Array("{}".utf8)
                dataHash = Self.emptyHash
                references = ""
            }
        }

        /// The record hash of a record without a customer (`{}`).
        private static let emptyHash = Hash128(hex: CustomerSet.recordHash("{}"))
    }

    var items: [Item] = []
    var malformed: [Finding] = []
    var read = 0
    /// Joined-file rows this chunk's records took, as (source, key): what is left over is an orphan.
    var claims: [(String, String)] = []

    var isEmpty: Bool { items.isEmpty && malformed.isEmpty }

    /// The reader's findings the ledger keeps: a record's errors (it is malformed) and every finding
    /// about the file as a whole (a syntax error outside records, no record at the record path).
    static func isKept(_ finding: Finding) -> Bool { finding.severity == .error || finding.recordIndex == nil }
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
