import Crypto
import Foundation

/// Everything an in-memory target holds: customers' rows, code lists and the load journal.
struct InMemoryState {
    struct CrosswalkEntry: Hashable {
        var customerId: String
        var how: String
        var imageHash: String?
        var sourceHash: String?
        var planHash: String
        var loadedAt: String
    }

    var customers: [String: CustomerRows] = [:]
    var codes: CodeLists
    var meta: [String: String] = [:]
    var crosswalk: [String: CrosswalkEntry] = [:]
    var loaded: [String: LoadedRecord] = [:]
    /// Plan hash -> seq -> entry.
    var undo: [String: [Int: UndoEntry]] = [:]
    /// Plan hash -> batch -> actions.
    var checkpoints: [String: [Int: Int]] = [:]
    /// Plan hash -> the snapshot taken before its cutover.
    var snapshots: [String: TargetSnapshot] = [:]

    init(codes: CodeLists) { self.codes = codes }

    /// The totals by the rules the database targets count them with (see ``ControlTotals``).
    func controlTotals() -> ControlTotals {
        var totals = ControlTotals()
        for rows in customers.values {
            let customer = rows.customer
            totals.customers += 1
            totals.byStatus[customer["status"].flatMap { $0.isEmpty ? nil : $0 } ?? "active", default: 0] += 1
            totals.byAccountGroup[
                customer["account_group"].flatMap { $0.isEmpty ? nil : $0 } ?? "(none)", default: 0] += 1
            if let limit = customer["credit_limit"], !limit.isEmpty {
                let currency = customer["currency"].flatMap { $0.isEmpty ? nil : $0 } ?? "(none)"
                totals.creditLimitCents[currency, default: 0] += Int64((Self.leadingNumber(limit) * 100).rounded())
            }
            let addresses = rows.children["address"] ?? [:]
            let country =
                addresses["legal-1"]?["country"]
                ?? addresses.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.first.flatMap {
                    addresses[$0]?["country"]
                } ?? "(none)"
            totals.byCountry[country, default: 0] += 1
        }
        for table in TargetSchema.childTables {
            let count = customers.values.reduce(0) { $0 + ($1.children[table]?.count ?? 0) }
            if count > 0 { totals.rows[table] = count }
        }
        return totals
    }

    /// The number a text starts with, as SQL's cast reads `1.2.3` (1.2).
    static func leadingNumber(_ text: String) -> Double {
        var prefix = Substring(text)
        while !prefix.isEmpty, Double(prefix) == nil { prefix = prefix.dropLast() }
        return Double(prefix) ?? 0
    }

    /// Row counts by table, as a snapshot's manifest.
    var manifest: String {
        var counts = [
            "customer": customers.count, "custmig_crosswalk": crosswalk.count, "custmig_loaded": loaded.count,
        ]
        for table in TargetSchema.childTables {
            counts[table] = customers.values.reduce(0) { $0 + ($1.children[table]?.count ?? 0) }
        }
        return String(decoding: (try? JSONEncoder().encode(counts)) ?? Data(), as: UTF8.self)
    }

    /// SHA-256 over every customer's fingerprint and the journal, in key order.
    var digest: String {
        var hasher = SHA256()
        func add(_ text: String) { hasher.update(data: Data((text + "\n").utf8)) }
        for id in customers.keys.sorted() { add(id + " " + customers[id]!.fingerprint) }
        for key in crosswalk.keys.sorted() { add("x \(key) \(crosswalk[key]!)") }
        for key in loaded.keys.sorted() { add("l \(key) \(loaded[key]!)") }
        for hash in undo.keys.sorted() { for seq in undo[hash]!.keys.sorted() { add("u \(undo[hash]![seq]!)") } }
        for hash in checkpoints.keys.sorted() { add("c \(hash) \(checkpoints[hash]!.sorted { $0.key < $1.key })") }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
