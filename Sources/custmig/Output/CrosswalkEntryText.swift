import CustmigCore

/// `custmig crosswalk show` as text.
enum CrosswalkEntryText {
    static func render(_ entry: CrosswalkEntry) -> String {
        let plan = entry.loadedByPlan.map { "plan \($0)" } ?? "a plan of another workspace"
        let hash = entry.loadedByPlanHash.map { String($0.prefix(12)) + "…" } ?? "?"
        var lines = [
            "\(entry.canonicalKey) -> target customer \(entry.customerId) (\(entry.how))",
            "last loaded by \(plan) (\(hash)) at \(entry.loadedAt ?? "?")",
            "the target row now: \(entry.rowNow)",
            "values loaded:",
        ]
        let width = min(entry.lastLoaded.keys.map(\.count).max() ?? 0, 40)
        for (path, value) in entry.lastLoaded.sorted(by: { $0.key < $1.key }) {
            lines.append("  " + path.padding(width) + "  " + value)
        }
        return lines.joined(separator: "\n")
    }
}
