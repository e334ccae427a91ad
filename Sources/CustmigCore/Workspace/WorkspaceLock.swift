import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One writer at a time: an OS file lock (`flock`) on `DIR/lock`, released by the kernel when the
/// process dies, labelled with its holder so that a second writer is told who holds it.
final class WorkspaceLock {
    private let file: LabelledFileLock

    init(folder: String, command: String) throws {
        let path = folder + "/lock"
        file = try LabelledFileLock(
            path: path,
            label:
                "pid \(getpid()) on \(WorkspaceLock.hostName) running `\(command)` since \(ISO8601DateFormatter().string(from: Date()))",
            cannotOpen: { reason in
                CustmigError(
                    .unreadableInput, code: "WS-LOCK", "cannot open the workspace lock \(path): \(reason).",
                    fix: "check the workspace folder's permissions.")
            },
            heldBy: { holder in
                CustmigError(
                    .locked, code: "WS-LOCKED", "the workspace \(folder) is in use by \(holder).",
                    fix: "wait for it to finish, or stop it; the lock is released as soon as that process ends.")
            })
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
        return LabelledFileLock.label(descriptor) ?? "another process"
    }

    /// The machine's name from `gethostname` (Foundation's `hostName` may wait on DNS, which a machine
    /// without a network can make hang).
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
