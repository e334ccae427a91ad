import Synchronization

/// A value that one child task uses, handed to it behind a Mutex: the value is sent into the lock, so
/// the compiler checks that nothing else keeps it.
final class Handed<Value>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: sending Value) { mutex = Mutex(value) }

    func use<R: Sendable>(_ body: (inout sending Value) throws -> R) rethrows -> R {
        try mutex.withLock { try body(&$0) }
    }
}
