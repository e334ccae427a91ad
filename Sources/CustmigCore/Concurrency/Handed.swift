import Synchronization

/// A value that one child task uses, handed to it behind a Mutex: the value is sent into the lock, so
/// the compiler checks that nothing else keeps it.
final class Handed<Value>: Sendable {
    private let mutex: Mutex<Value?>

    init(_ value: sending Value) { mutex = Mutex(value) }

    /// Uses the value under the lock (taken once a piece, by its one task).
    func use<R: Sendable>(_ body: (inout sending Value) throws -> R) rethrows -> R {
        try mutex.withLock { value in try body(&value!) }
    }

    /// Takes the value out, for the one task that uses it from now on (a closure it awaits, which
    /// cannot be called under a lock).
    func take() -> sending Value {
        mutex.withLock { value -> sending Value in value.take()! }
    }
}
