import Crypto
import Foundation

/// A plan's content hash, action counts and control-total change, taken row by row as the rows are
/// written (so sealing a plan does not read a million rows back). The same bytes as a plan read from
/// the ledger: the hash is what approval binds to, so both ways must agree (a test checks it).
///
/// Sendable by hand: the plan writer's writing task adds rows one write at a time, and the planner
/// touches the digest only after that task has ended (``PlanWriter/writing(plan:ledger:batchSize:digest:rehearsal:_:)``).
final class PlanDigest: @unchecked Sendable {
    private var hasher = SHA256()
    private(set) var counts: [String: Int] = [:]
    /// What the plan's writes add to and take from the target's totals.
    private(set) var totalsChange = ControlTotals()
    private var line: [UInt8] = []
    /// The hash's first line (see ``DryRunStage/Inputs/hashHeader(target:ledger:)``).
    let headerText: String

    init(header: String) {
        headerText = header
        hasher.update(data: Data(header.utf8))
    }

    /// One row, with its columns in the order the plan hash reads them (seq … changes), as they are stored.
    func add(_ columns: [HashedValue], applyKind: String?, action: String) {
        if applyKind != TargetAction.Kind.references.rawValue { counts[action, default: 0] += 1 }
        line.removeAll(keepingCapacity: true)
        line.append(0x0A)
        for column in columns { column.append(to: &line) }
        line.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    /// A written row's effect on the target's totals.
    func change(before: CustomerImage?, after: CustomerImage?) {
        if let before { totalsChange.add(before, sign: -1) }
        if let after { totalsChange.add(after) }
    }

    /// What inserts counted before they were written add to the targets' totals.
    func change(inserts: ControlTotals) { totalsChange.add(inserts) }

    var hash: String { FileDigest.hex(hasher.finalize()) }

    /// A column value as the hash reads it.
    enum HashedValue {
        case null
        case int(Int)
        case text(String)

        init(_ text: String?) { self = text.map { .text($0) } ?? .null }

        /// The image column as the hash reads it: the stored image, or for an insert that refers to its
        /// canonical record the fingerprint of the image rebuilt from it (which the cutover checks).
        static func image(_ text: String?, referenceFingerprint: String?) -> HashedValue {
            if let text { return .text(text) }
            return referenceFingerprint.map { .text("by-reference:" + $0) } ?? .null
        }

        func append(to bytes: inout [UInt8]) {
            switch self {
            case .null: bytes += "∅".utf8
            case .int(let number): bytes += number.description.utf8
            case .text(let text): bytes += text.utf8
            }
            bytes.append(0x01)
        }
    }
}

extension ControlTotals {
    /// Adds another set of totals (a change) to these, key by key.
    mutating func add(_ change: ControlTotals) {
        customers += change.customers
        for (key, count) in change.byStatus { byStatus[key, default: 0] += count }
        for (key, count) in change.byCountry { byCountry[key, default: 0] += count }
        for (key, count) in change.byAccountGroup { byAccountGroup[key, default: 0] += count }
        for (key, cents) in change.creditLimitCents { creditLimitCents[key, default: 0] += cents }
        for (key, count) in change.rows { rows[key, default: 0] += count }
    }
}
