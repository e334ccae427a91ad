/// What the dry run decided for one field of one customer.
public struct FieldChange: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
        /// Ours is written (before -> after).
        case change
        /// Changed only in the target since our last load: the target's value is kept.
        case keptTarget = "kept_target"
        /// A target-owned field: set on insert, never overwritten; the target's value is kept.
        case keptOwned = "kept_target_owned"
        /// Changed in the target since our last load, and differently in ours: not applied.
        case conflict
        /// A conflict the resolution file settles by taking ours.
        case resolvedOurs = "resolved_ours"
        /// A conflict the resolution file settles by keeping the target's value.
        case resolvedTheirs = "resolved_theirs"
    }

    public var path: String
    public var outcome: Outcome
    /// What custmig loaded last time (nil: nothing, or no earlier load).
    public var base: String?
    public var ours: String?
    /// The target's value now (before).
    public var theirs: String?
    /// The value after the cutover.
    public var after: String?
}

/// A settled conflict: `key,field,resolution` with `ours` (take ours) or `theirs` (keep the target's).
public enum ConflictResolution: String, Sendable, Hashable {
    case ours
    case theirs
}

/// The three-way merge of one customer: base (what custmig loaded last time), ours (the new canonical
/// record) and theirs (the target now), field by field, with ownership and settled conflicts.
public enum ThreeWayMerge {
    public struct Result: Sendable, Equatable {
        /// The image the customer should have after the cutover.
        public var desired: CustomerImage
        /// Changed, kept and conflicting fields (unchanged fields are left out), sorted by path.
        public var changes: [FieldChange]
        public var hasConflict: Bool { changes.contains { $0.outcome == .conflict } }
        public var writes: Bool { changes.contains { $0.outcome == .change || $0.outcome == .resolvedOurs } }
    }

    /// `base == nil` with an existing `theirs` is a link (a customer custmig did not load): legacy-owned
    /// fields take ours, target-owned fields keep theirs. `theirs == nil` is an insert: ours as it is.
    public static func merge(
        ours: CustomerImage, theirs: CustomerImage?, base: CustomerImage?,
        isTargetOwned: (String) -> Bool, resolution: (String) -> ConflictResolution? = { _ in nil }
    ) -> Result {
        guard let theirs else { return Result(desired: ours, changes: []) }
        var desired = theirs
        var changes: [FieldChange] = []
        var paths = Set(ours.values.keys).union(theirs.values.keys)
        if let base { paths.formUnion(base.values.keys) }
        for path in paths.sorted() {
            let o = ours.values[path]
            let t = theirs.values[path]
            let b = base?.values[path]
            if o == t { continue }
            var change = FieldChange(path: path, outcome: .change, base: b, ours: o, theirs: t, after: o)
            if isTargetOwned(path) {
                change.outcome = .keptOwned
                change.after = t
            } else if base == nil || t == b {
                change.outcome = .change
            } else if o == b {
                change.outcome = .keptTarget
                change.after = t
            } else {
                switch resolution(path) {
                case .ours?: change.outcome = .resolvedOurs
                case .theirs?:
                    change.outcome = .resolvedTheirs
                    change.after = t
                case nil:
                    change.outcome = .conflict
                    change.after = t
                }
            }
            desired.values[path] = change.after
            changes.append(change)
        }
        return Result(desired: desired, changes: changes)
    }
}

extension FieldChange {
    /// The change as JSON, keys sorted as `JSONEncoder` writes them (it reads back with `JSONDecoder`).
    var jsonText: String {
        var writer = JSONObjectWriter()
        writer.string("after", after)
        writer.string("base", base)
        writer.string("outcome", outcome.rawValue)
        writer.string("ours", ours)
        writer.string("path", path)
        writer.string("theirs", theirs)
        return writer.finished
    }

    static func jsonText(_ changes: [FieldChange]) -> String {
        "[" + changes.map(\.jsonText).joined(separator: ",") + "]"
    }
}
