import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One writer at a time: an OS file lock (`flock`) on `DIR/lock`, released by the kernel when the
/// process dies, labelled with its holder so that a second writer is told who holds it.
final class WorkspaceLock {
    private let descriptor: Int32

    init(folder: String, command: String) throws {
        let path = folder + "/lock"
        descriptor = open(path, O_RDWR | O_CREAT, 0o600)
        guard descriptor >= 0 else {
            throw CustmigError(
                .unreadableInput, code: "WS-LOCK",
                "cannot open the workspace lock \(path): \(String(cString: strerror(errno))).",
                fix: "check the workspace folder's permissions.")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 1024)
            let count = pread(descriptor, &buffer, buffer.count, 0)
            let holder = count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : "another process"
            Glibc.close(descriptor)
            throw CustmigError(
                .locked, code: "WS-LOCKED", "the workspace \(folder) is in use by \(holder).",
                fix: "wait for it to finish, or stop it; the lock is released as soon as that process ends.")
        }
        let label =
            "pid \(getpid()) on \(WorkspaceLock.hostName) running `\(command)` since \(ISO8601DateFormatter().string(from: Date()))"
        ftruncate(descriptor, 0)
        _ = label.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// Who holds the workspace's lock right now (`pid 4711 on host running \`custmig map …\` since …`),
    /// or nil when no writer is at work: `status` tells a run in progress from an interrupted one.
    static func holder(folder: String) -> String? {
        let descriptor = open(folder + "/lock", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : "another process"
    }

    /// The machine's name from `gethostname` (Foundation's `hostName` may wait on DNS, which a machine
    /// without a network can make hang).
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown host" }
        return String(cString: buffer)
    }

    deinit {
        ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        Glibc.close(descriptor)
    }
}
