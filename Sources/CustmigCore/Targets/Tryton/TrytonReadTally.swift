import Foundation

/// The control totals of the parties a dry run or a reconciliation has already read (see
/// ``Target/tallyReads()``): each party counted once, however often it was read.
final class TrytonReadTally: @unchecked Sendable {  // every member is guarded by `lock`
    private let lock = NSLock()
    private var active = false
    private var codes = Set<String>()
    private var totals = ControlTotals()
    /// Every party's code, when the run listed them while counting (the dry run's planner does).
    private var allCodes: [String]?

    /// Counts from now on, from zero.
    func start() {
        lock.lock()
        defer { lock.unlock() }
        active = true
        codes = []
        totals = ControlTotals()
        allCodes = nil
    }

    /// Keeps the list of every party's code the run read while counting: the reader need not ask again.
    func listed(_ codes: [String]) {
        lock.lock()
        defer { lock.unlock() }
        if active { allCodes = codes }
    }

    /// Adds the parties not counted yet; nothing (not even their images) when not counting.
    func add(_ parties: [String: CustomerRows]) {
        lock.lock()
        defer { lock.unlock() }
        guard active else { return }
        for (code, rows) in parties where codes.insert(code).inserted { totals.add(CustomerImage(rows: rows)) }
    }

    /// Stops counting and hands over what was counted; nil when nothing was being counted.
    func finish() -> (codes: Set<String>, totals: ControlTotals, allCodes: [String]?)? {
        lock.lock()
        defer { lock.unlock() }
        guard active else { return nil }
        active = false
        defer { (codes, totals, allCodes) = ([], ControlTotals(), nil) }
        return (codes, totals, allCodes)
    }
}
