import ArgumentParser
import CustmigCore

/// `--workspace DIR`, shared by every command that uses a workspace.
struct WorkspaceOptions: ParsableArguments {
    @Option(help: "The migration's workspace folder (default: $CUSTMIG_WORKSPACE, else ./migration).")
    var workspace: String?

    var path: String { workspace ?? Workspace.defaultPath() }

    /// Opens the workspace, saying first when a newer custmig brings its ledger up to date (on a big
    /// ledger that takes a while, once, before the command itself starts).
    func open(command: String, writer: Bool) throws -> Workspace {
        let pending = Workspace.pendingUpgrade(path: path)
        if !pending.isEmpty {
            Terminal.error(
                "note: upgrading the workspace's ledger to this custmig's schema (\(pending.joined(separator: ", "))); "
                    + "once, and it can take a while on a big ledger.")
        }
        return try Workspace(path: path, command: command, writer: writer)
    }
}
