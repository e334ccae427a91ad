import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Named moments between two commits where a crash is most likely to leave two stores disagreeing.
/// The crash tests arm one with `CUSTMIG_FAULT=name:N` to kill the process (SIGKILL, as `kill -9` does)
/// the Nth time it is reached, so every checkpoint of a stage is hit deterministically instead of by
/// random delays. Unarmed, reaching a point costs one comparison.
///
/// The points, by stage (`inside-commit` points are reached with the transaction's writes done and
/// not committed, so a kill there tests the rollback of a half-written batch):
/// - map: `map.started`, `map.staged-inside-commit`, `map.staged` (each staged chunk of a joined
///   source), `map.chunk-inside-commit`, `map.chunk-committed` (each chunk), `map.reported`;
/// - duplicates: `duplicates.inside-commit`, `duplicates.committed`;
/// - dry run: `dry-run.rows-written` (each write of plan rows), `dry-run.rehearsed`,
///   `dry-run.inside-seal`, `dry-run.sealed`, `dry-run.reported`;
/// - cutover: `cutover.snapshot-taken`, `cutover.batch-inside-commit`, `cutover.batch-committed`,
///   `cutover.batch-recorded` (each batch); on a target without transactions (Tryton) instead of the
///   commit, `cutover.intents-journaled` (the batch's calls are journaled, none sent) and
///   `cutover.calls-landed` (every call answered, the outcome not yet journaled);
/// - rollback: `rollback.started`, `rollback.batch-inside-commit`, `rollback.batch-undone`,
///   `rollback.batch-recorded` (each batch), and `rollback.customer-undone` (each customer of a
///   target whose undo is not one transaction: between two calls to Tryton).
///
/// `CUSTMIG_FAULT=name:N:interrupt` sends SIGINT instead (Ctrl-C), so the tests of a stop at a safe
/// point do not depend on when a signal from outside happens to land. Points used only that way:
/// `purge.run-purged` (each map run), `reconcile.chunk-checked` (each chunk of the plan),
/// `rollback.safety-copied` (a snapshot rollback's copy of the target is taken, nothing restored).
enum FaultPoint {
    private static let armed: (name: Substring, count: Int, signal: Int32)? = {
        guard let value = ProcessInfo.processInfo.environment["CUSTMIG_FAULT"] else { return nil }
        var parts = value.split(separator: ":", omittingEmptySubsequences: false)
        var signal = SIGKILL
        if parts.count == 3, parts[2] == "interrupt" {
            signal = SIGINT
            parts.removeLast()
        }
        guard parts.count == 2, let count = Int(parts[1]), count > 0 else { return nil }
        return (parts[0], count, signal)
    }()
    private static let arrivals = Mutex(0)

    /// Kills (or interrupts) the process here when this is the armed point's Nth arrival.
    static func reach(_ name: String) {
        guard let armed, armed.name == name else { return }
        let now = arrivals.withLock { arrivals in
            arrivals += 1
            return arrivals
        }
        guard now == armed.count else { return }
        // To the process, not this thread (`raise`): a stage's task may run on a thread of the runtime's
        // pool, which blocks signals, and a signal sent to it would wait there for ever. The handler runs
        // on another thread, so an interrupt waits for it to have set the request: the stop is then seen
        // at the very next safe point, whatever the timing.
        kill(getpid(), armed.signal)
        if armed.signal == SIGINT {
            for _ in 0..<5_000 where !Interruption.requested { usleep(1_000) }
        }
    }
}
