import Foundation

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
enum FaultPoint {
    private static let armed: (name: Substring, count: Int)? = {
        guard let value = ProcessInfo.processInfo.environment["CUSTMIG_FAULT"],
            let colon = value.lastIndex(of: ":"), let count = Int(value[value.index(after: colon)...]), count > 0
        else { return nil }
        return (value[..<colon], count)
    }()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var arrivals = 0

    /// Kills the process here when this is the armed point's Nth arrival.
    static func reach(_ name: String) {
        guard let armed, armed.name == name else { return }
        lock.lock()
        arrivals += 1
        let now = arrivals
        lock.unlock()
        if now == armed.count { kill(getpid(), SIGKILL) }
    }
}
