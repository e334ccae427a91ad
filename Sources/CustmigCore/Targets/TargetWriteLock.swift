import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Held by a cutover or a rollback for as long as it writes a target, so that two workspaces never
/// write one target at once: a second workspace's cutover took its snapshot while the first was nine
/// batches in, and restoring that snapshot threw away 19,441 of the first load's customers.
///
/// Released when the object goes (or the process ends). The holder's description (workspace, pid,
/// host, command, since) is what the refused command prints.
public final class TargetWriteLock {
    private var release: (() -> Void)?

    init(release: @escaping () -> Void) { self.release = release }

    deinit { release?() }

    /// What a cutover or rollback says about itself to whoever finds the target locked.
    public static func holder(workspace: String, command: String) -> String {
        "workspace \(workspace) (pid \(getpid()) on \(WorkspaceLock.hostName) running `\(command)` since "
            + "\(ISO8601DateFormatter().string(from: Date())))"
    }

    static func refused(_ target: String, holder: String) -> CustmigError {
        CustmigError(
            .locked, code: "TARGET-LOCKED", "the target \(target) is being written by \(holder).",
            fix: "wait for that cutover or rollback to finish (or stop it); the lock goes with its process. "
                + "Two workspaces must not load one target at the same time.")
    }

    /// A lock file in the system's temporary folder, named after `key`: holds between processes of this
    /// machine (a target reached from two machines needs a lock of its own, as PostgreSQL's is). The file
    /// goes with the lock, so the folder does not keep one per target ever written.
    static func local(key: String, target: String, holder: String) throws -> TargetWriteLock {
        let path = NSTemporaryDirectory() + "/custmig-target-" + FileDigest.sha256(key).prefix(24) + ".lock"
        let file = try LabelledFileLock(
            path: path, label: holder, removedOnRelease: true,
            cannotOpen: { reason in
                CustmigError(
                    .unreadableInput, code: "TARGET-LOCK", "cannot open the target's lock file \(path): \(reason).",
                    fix:
                        "check that \(NSTemporaryDirectory()) is writable (another user's lock file there is not ours to use)."
                )
            },
            heldBy: { refused(target, holder: $0) })
        return TargetWriteLock { withExtendedLifetime(file) {} }
    }
}

extension Target {
    /// By default a lock on this machine keyed by the target's instance id.
    public func lockForWriting(holder: String) throws -> TargetWriteLock {
        try TargetWriteLock.local(key: instance, target: location.description, holder: holder)
    }
}
