#if canImport(Glibc)
    import Glibc
#endif

/// Files that hold customers' personal data (the ledger, snapshots) are the owner's alone, whatever
/// the umask: SQLite creates a database as 0644 and its WAL and shared-memory files with the
/// database's mode, so the file is made (or narrowed) to 0600 before SQLite opens it.
enum PrivateFile {
    static func prepare(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if descriptor >= 0 {
            close(descriptor)
            return
        }
        for file in [path, path + "-wal", path + "-shm"] { _ = chmod(file, 0o600) }
    }
}
