import Foundation

/// The control totals of the parties a dry run or a reconciliation has already read (see
/// ``Target/tallyReads()``): each party counted once, however often it was read.
final class TrytonReadTally: @unchecked Sendable {  // every member is guarded by `lock`
    private let lock = NSLock()
    private var active = false
    private var codes = Set<String>()
    private var totals = ControlTotals()

    /// Counts from now on, from zero.
    func start() {
        lock.lock()
        defer { lock.unlock() }
        active = true
        codes = []
        totals = ControlTotals()
    }

    func add(_ images: [String: CustomerImage]) {
        lock.lock()
        defer { lock.unlock() }
        guard active else { return }
        for (code, image) in images where codes.insert(code).inserted { totals.add(image) }
    }

    /// Stops counting and hands over what was counted; nil when nothing was being counted.
    func finish() -> (codes: Set<String>, totals: ControlTotals)? {
        lock.lock()
        defer { lock.unlock() }
        guard active else { return nil }
        active = false
        defer { (codes, totals) = ([], ControlTotals()) }
        return (codes, totals)
    }
}
