import Foundation
import Synchronization

/// The control totals of the parties a dry run or a reconciliation has already read (see
/// ``Target/tallyReads()``): each party counted once, however often it was read.
final class TrytonReadTally: Sendable {
    private struct State {
        var active = false
        var codes = Set<String>()
        var totals = ControlTotals()
        /// Every party's code, when the run listed them while counting (the dry run's planner does).
        var allCodes: [String]?
    }

    private let state = Mutex(State())

    /// Counts from now on, from zero.
    func start() {
        state.withLock { $0 = State(active: true) }
    }

    /// Keeps the list of every party's code the run read while counting: the reader need not ask again.
    func listed(_ codes: [String]) {
        state.withLock { state in if state.active { state.allCodes = codes } }
    }

    /// Adds the parties not counted yet; nothing (not even their images) when not counting.
    func add(_ parties: [String: CustomerRows]) {
        state.withLock { state in
            guard state.active else { return }
            for (code, rows) in parties where state.codes.insert(code).inserted {
                state.totals.add(CustomerImage(rows: rows))
            }
        }
    }

    /// Stops counting and hands over what was counted; nil when nothing was being counted.
    func finish() -> (codes: Set<String>, totals: ControlTotals, allCodes: [String]?)? {
        state.withLock { state in
            guard state.active else { return nil }
            defer { state = State() }
            return (state.codes, state.totals, state.allCodes)
        }
    }
}
