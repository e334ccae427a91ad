import ArgumentParser
import CustmigCore

/// `--workspace DIR`, shared by every command that uses a workspace.
struct WorkspaceOptions: ParsableArguments {
    @Option(help: "The migration's workspace folder (default: $CUSTMIG_WORKSPACE, else ./migration).")
    var workspace: String?

    var path: String { workspace ?? Workspace.defaultPath() }
}
