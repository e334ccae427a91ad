import Foundation

/// What `purge --reports` and `purge --keep-snapshots N` removed.
public struct TidySummary: Sendable, Codable {
    public var reportFolders: [String] = []
    public var snapshotFiles: [String] = []
    public var bytesFreed: Int64 = 0
}

/// Disk hygiene between rehearsals: the report folders of superseded plans (a newer dry run replaced
/// them; their plans stay in the ledger) and the safety copies snapshot rollbacks leave. A cutover's own
/// snapshot is never removed here: a rollback may still need it (`purge --run` removes it with the run's
/// data after go-live).
public enum WorkspaceTidy {
    public static func run(workspace: Workspace, reports: Bool, keepSnapshots: Int?) throws -> TidySummary {
        var summary = TidySummary()
        if reports {
            let superseded = try workspace.ledger.database.read { db in
                try PlanStore.supersededPlans(db: db)
            }
            for plan in superseded {
                let folder = workspace.path + "/reports/plan-\(plan)"
                guard FileManager.default.fileExists(atPath: folder) else { continue }
                summary.bytesFreed += WorkspaceUsage.treeSize(folder)
                try remove(folder)
                summary.reportFolders.append(folder)
            }
        }
        if let keepSnapshots {
            let copies = try WorkspaceUsage.read(workspace).snapshots.filter(\.safetyCopy)
                .sorted { $0.modified > $1.modified }
            for copy in copies.dropFirst(max(0, keepSnapshots)) {
                summary.bytesFreed += copy.bytes
                try remove(copy.path)
                summary.snapshotFiles.append(copy.path)
            }
        }
        return summary
    }

    private static func remove(_ path: String) throws {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw CustmigError(
                .unreadableInput, code: "PURGE-REMOVE", "cannot remove \"\(path)\": \(error.localizedDescription).",
                fix: "check the folder's permissions, then run the purge again.")
        }
    }
}
