import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive OS file lock (`flock`) on a file, released by the kernel when the process dies and
/// labelled with its holder, so that whoever is refused is told who holds it. The workspace's lock and
/// a target's lock on this machine are both one of these.
final class LabelledFileLock {
    private let descriptor: Int32

    /// Locks `path` (created 0600 if missing) and writes `label` into it. `cannotOpen` gets the system's
    /// reason, `heldBy` the label the holder wrote (or "another process").
    init(
        path: String, label: String, cannotOpen: (String) -> CustmigError, heldBy: (String) -> CustmigError
    ) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw cannotOpen(String(cString: strerror(errno))) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.label(descriptor) ?? "another process"
            Glibc.close(descriptor)
            throw heldBy(holder)
        }
        ftruncate(descriptor, 0)
        _ = label.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// What the holder wrote into the open lock file, if anything.
    static func label(_ descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil
    }

    deinit {
        ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        Glibc.close(descriptor)
    }
}
