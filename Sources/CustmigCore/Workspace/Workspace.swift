import Foundation

/// One migration's folder: the ledger, reports and (later) plans and snapshots. Created with mode 0700
/// since it holds personal data; opened for writing by one process at a time.
///
/// Default `./migration`, or `CUSTMIG_WORKSPACE`, or `--workspace DIR`.
public final class Workspace {
    public let path: String
    public let ledger: Ledger
    private let lock: WorkspaceLock?

    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["CUSTMIG_WORKSPACE"] ?? "migration"
    }

    /// Opens (creating it if needed) the workspace; `writer` takes the lock for `command`.
    public init(path: String, command: String, writer: Bool) throws {
        self.path = path
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw CustmigError(
                    .usage, code: "WS-NOT-FOLDER", "the workspace \(path) is a file, not a folder.",
                    fix: "choose another --workspace.")
            }
        } else {
            guard writer else {
                throw CustmigError(
                    .usage, code: "WS-MISSING", "there is no workspace at \(path).",
                    fix: "run custmig map first, or pass --workspace (or set CUSTMIG_WORKSPACE).")
            }
            do {
                try manager.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw CustmigError(
                    .usage, code: "WS-CREATE", "cannot create the workspace \(path): \(error.localizedDescription)",
                    fix: "choose a writable --workspace.")
            }
        }
        lock = writer ? try WorkspaceLock(folder: path, command: command) : nil
        ledger = try Ledger(path: path + "/ledger.sqlite")
    }

    /// The ledger schema versions an existing workspace lacks, which opening it will apply first (for
    /// a big ledger, once, a noticeable wait: say so before it starts). Empty for a new workspace.
    public static func pendingUpgrade(path: String) -> [String] {
        Ledger.pendingMigrations(path: path + "/ledger.sqlite")
    }

    /// Where the diff reports of a plan go.
    public func reportFolder(plan: Int64) throws -> String {
        let folder = "\(path)/reports/plan-\(plan)"
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return folder
    }

    /// Where reports of a run go.
    public func reportFolder(run: Int64) throws -> String {
        let folder = "\(path)/reports/run-\(run)"
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return folder
    }
}
