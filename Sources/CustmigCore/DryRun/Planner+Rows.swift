/// What the planner makes: a row per customer action, and the outcome the plan's summary counts;
/// and what it reads and builds ahead of deciding, a chunk at a time.
extension Planner {
    struct Outcome {
        var counts: [PlanAction: Int] = [:]
        var fieldChanges: [String: Int] = [:]
        /// Fields (ownership names) the inserts fill, by how many inserts fill them.
        var fieldsFilled: [String: Int] = [:]
        var keptTarget = 0
        var batches = 0
        var deactivationCap: Int?
        var gateFailed = false
        var refused = 0
        /// Canonical fields (ownership names) the target has no place for, by how many customers have them.
        var notLoaded: [String: Int] = [:]

        /// Customers the cutover will write.
        var writes: Int { counts.filter { $0.key.writes }.values.reduce(0, +) }
    }

    /// One row of `plan_action`.
    struct ActionRow {
        var key: String
        var legacyKey: String?
        var customerId: String?
        var action: PlanAction
        var applyKind: TargetAction.Kind?
        var reason: String?
        var fingerprint: String?
        var expectAbsent = false
        var before: CustomerImage?
        var image: CustomerImage?
        /// Instead of `image`: a new customer's image by position (an insert by reference).
        var newImage: NewCustomerImage?
        var changes: [FieldChange] = []
        var name: String?
        var country: String?
        var sourceHash: String?
        /// Set for an insert whose image is rebuilt from its canonical record instead of stored.
        var reference: RecordReference?
        /// The image's fingerprint, once worked out (for the rehearsal beside planning and the plan row).
        var imageFingerprint: String?
        /// An insert's field-level export size (lines, bytes), counted with the fields it fills.
        var fieldSize: (count: Int, bytes: Int)?
    }

    /// A customer's record decoded and its image built ahead, on every core, with the target ids its
    /// references resolved to (see `plan`).
    struct Prebuilt {
        var customer: CanonicalCustomer
        /// The image's paths; or, for a customer new to a target that takes images as they are, its
        /// image by position (`newImage`), unless a value only the paths can hold.
        var image: CustomerImage?
        var newImage: NewCustomerImage?
        var consulted: [String] = []
        var resolved: [String: String] = [:]
        var unresolved: [String] = []
    }

    /// What planning a chunk reads before it decides anything: its customers' canonical records (by
    /// key) and the target's fingerprints of those that exist there (by target id).
    struct ChunkReads {
        var texts: [String: CanonicalStore.Stored]
        var fingerprints: [String: String]
    }
}
