import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive OS file lock (`flock`) on a file, released by the kernel when the process dies and
/// labelled with its holder, so that whoever is refused is told who holds it. The workspace's lock and
/// a target's lock on this machine are both one of these.
final class LabelledFileLock {
    private let descriptor: Int32
    /// The path to remove on release (`removedOnRelease`), nil to keep the file.
    private let removal: String?

    /// Locks `path` (created 0600 if missing) and writes `label` into it. `cannotOpen` gets the system's
    /// reason, `heldBy` the label the holder wrote (or "another process").
    ///
    /// `removedOnRelease`: the file is deleted before it is unlocked, so a folder of such locks does not
    /// fill up. A process that opened it just before then locks a file no path leads to any more; it
    /// sees that the path no longer names its file (or names a new one) and starts over, so two holders
    /// never hold the same path.
    init(
        path: String, label: String, removedOnRelease: Bool = false, cannotOpen: (String) -> CustmigError,
        heldBy: (String) -> CustmigError
    ) throws {
        var opened: Int32 = -1
        while opened < 0 {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw cannotOpen(String(cString: strerror(errno))) }
            if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                let holder = Self.label(descriptor) ?? "another process"
                Glibc.close(descriptor)
                throw heldBy(holder)
            }
            if removedOnRelease && !Self.isNamed(descriptor, by: path) {
                Glibc.close(descriptor)
                continue
            }
            opened = descriptor
        }
        descriptor = opened
        removal = removedOnRelease ? path : nil
        ftruncate(descriptor, 0)
        _ = label.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// Whether `path` still names the open file (and not a file made after it was removed).
    static func isNamed(_ descriptor: Int32, by path: String) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(descriptor, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    /// What the holder wrote into the open lock file, if anything.
    static func label(_ descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil
    }

    deinit {
        if let removal { unlink(removal) }
        ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        Glibc.close(descriptor)
    }
}
