import Foundation

/// What the cutover will do to one customer.
public enum PlanAction: String, Sendable, Hashable, Codable, CaseIterable {
    case insert
    /// An existing target customer custmig did not load, found by the matcher: crosswalk it, update it.
    case link
    case update
    case unchanged
    /// A legacy-owned field changed in the target since our last load and differently in ours.
    case conflict
    case deactivate
    case reject

    /// Whether the cutover writes to the target for it.
    public var writes: Bool { self == .insert || self == .link || self == .update || self == .deactivate }
}

/// Customers, child rows and money in a set of customers: compared before and after a plan.
public struct ControlTotals: Sendable, Codable, Equatable {
    public var customers = 0
    public var byStatus: [String: Int] = [:]
    public var byCountry: [String: Int] = [:]
    public var byAccountGroup: [String: Int] = [:]
    /// Sum of credit limits in cents, by currency.
    public var creditLimitCents: [String: Int64] = [:]
    /// Child rows by table (address, contact, sales_area, bank_account, company_code, partner_function).
    public var rows: [String: Int] = [:]

    public init() {}

    /// Forgets counts that came to zero (customers added and removed again), as a count of the
    /// target never shows them.
    public mutating func dropZeros() {
        byStatus = byStatus.filter { $0.value != 0 }
        byCountry = byCountry.filter { $0.value != 0 }
        byAccountGroup = byAccountGroup.filter { $0.value != 0 }
        creditLimitCents = creditLimitCents.filter { $0.value != 0 }
        rows = rows.filter { $0.value != 0 }
    }

    /// Adds (`sign` 1) or removes (-1) one customer's image.
    public mutating func add(_ image: CustomerImage, sign: Int = 1) {
        customers += sign
        byStatus[image.values["status"] ?? "active", default: 0] += sign
        byCountry[Self.country(of: image) ?? "(none)", default: 0] += sign
        byAccountGroup[image.values["account_group"] ?? "(none)", default: 0] += sign
        if let limit = image.values["credit_limit"], let cents = Self.cents(limit) {
            creditLimitCents[image.values["currency"] ?? "(none)", default: 0] += Int64(sign) * cents
        }
        // Child rows counted once per `table[row id]` prefix, found by scans of each path's bytes and
        // compared in one buffer (Substring sets, then Substring comparisons, took a sixteenth of a
        // first load's dry run).
        var seen: [UInt8] = []
        var spans: [(hash: Int, start: Int, count: Int)] = []
        for path in image.values.keys {
            var path = path
            path.withUTF8 { bytes in
                guard let open = bytes.firstIndex(of: UInt8(ascii: "[")),
                    let close = bytes[open...].firstIndex(of: UInt8(ascii: "]"))
                else { return }
                let row = UnsafeBufferPointer(rebasing: bytes[..<close])
                var hash = 5381
                for byte in row { hash = hash &* 33 &+ Int(byte) }
                for span in spans where span.hash == hash && span.count == row.count {
                    if seen[span.start..<(span.start + span.count)].elementsEqual(row) { return }
                }
                spans.append((hash, seen.count, row.count))
                seen.append(contentsOf: row)
                rows[String(decoding: UnsafeBufferPointer(rebasing: bytes[..<open]), as: UTF8.self), default: 0] += sign
            }
        }
    }

    /// The legal address's country, else the first address's.
    static func country(of image: CustomerImage) -> String? {
        if let legal = image.values["address[legal-1].country"] { return legal }
        return image.values.filter { $0.key.hasPrefix("address[") && $0.key.hasSuffix("].country") }.min {
            $0.key < $1.key
        }?.value
    }

    /// `12500.5` -> 1250050; nil for a value that is not a plain decimal.
    static func cents(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1].prefix(2)) : ""
        while fraction.count < 2 { fraction += "0" }
        guard let cents = Int64(fraction) else { return nil }
        return whole * 100 + (whole < 0 ? -cents : cents)
    }

    public static func formatCents(_ cents: Int64) -> String {
        let sign = cents < 0 ? "-" : ""
        let value = abs(cents)
        let fraction = value % 100
        return "\(sign)\(HTML.grouped(Int(value / 100))).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

/// A dry run's outcome: the stored plan, what it contains and how it differs from the one before.
public struct PlanSummary: Sendable, Codable {
    public var plan: Int64
    public var contentHash: String
    /// `new`, or `unchanged` when the same inputs against an unchanged target gave the same plan again.
    public var outcome: String
    public var target: String
    public var mapRun: Int64
    public var duplicatesRun: Int64?
    public var numbering: String
    public var batchSize: Int
    public var batches: Int
    public var counts: [String: Int]
    public var before: ControlTotals
    public var after: ControlTotals
    /// Changed fields (ownership names) by how many customers change them.
    public var fieldChanges: [String: Int]
    /// Fields the inserts fill, by how many inserts fill them (a first load's picture of what arrives).
    public var fieldsFilled: [String: Int]?
    public var keptTargetChanges: Int
    public var refusedInRehearsal: Int
    public var deactivationCap: Int?
    public var deactivationGateFailed: Bool
    public var supersedes: Int64?
    /// Plan numbers before this one that no plan holds: taken by dry runs that found the same plan as
    /// before (and kept that one) or did not finish.
    public var unusedNumbers: ClosedRange<Int64>?
    /// A duplicates run of the map run that was stopped before it finished: its merges are not in this plan.
    public var unfinishedDuplicatesRun: Int64?
    /// Customers whose action differs from the superseded plan's (first ones), and the count.
    public var actionChanges: [String]
    public var actionChangeCount: Int
    public var previousCounts: [String: Int]?
    public var approvedBy: String?
    /// When the approval of the current content hash was recorded (with ``approvedBy``).
    public var approvedAt: Date?
    public var reports: [String]
    public var elapsedSeconds: Double
    /// False when the target cannot replay a plan and roll it back: the plan was checked against its
    /// code lists only (nil in plans stored before targets said so: rehearsed).
    public var rehearsed: Bool? = nil
    /// Canonical fields the target has no place for (ownership names), by how many of the customers
    /// this plan worked out have them: not loaded, and listed so (nil: the target holds every field).
    public var notLoaded: [String: Int]? = nil
}
