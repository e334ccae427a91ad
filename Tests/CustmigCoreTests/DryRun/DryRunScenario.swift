import CustmigCore
import Foundation
import GRDB

/// A migration in a scratch folder: the flat CSV mapping copied beside its steward files, a sandbox
/// target with the shipped code lists, and the sample extract (optionally edited) mapped into a workspace.
struct DryRunScenario {
    let folder: String
    let mappingPath: String
    let workspace: Workspace
    let target: SQLiteTarget
    let targetPath: String

    init(codes: String = Paths.samples("target-codes.csv"), load: String? = nil) throws {
        folder = try Paths.scratch()
        let mappingFolder = folder + "/mapping"
        try FileManager.default.copyItem(
            atPath: Paths.repository.appendingPathComponent("Mappings/legacy-flat-csv").path, toPath: mappingFolder)
        mappingPath = mappingFolder + "/mapping.yaml"
        if let load {
            let text = try String(contentsOfFile: mappingPath, encoding: .utf8) + "\nload:\n" + load + "\n"
            try text.write(toFile: mappingPath, atomically: true, encoding: .utf8)
        }
        workspace = try Workspace(path: folder + "/w", command: "test", writer: true)
        targetPath = folder + "/target.db"
        target = try SQLiteTarget.initialize(path: targetPath, codes: try CodeLists.read(path: codes))
    }

    /// Maps the sample extract after `edit` changed its (UTF-8) text.
    @discardableResult
    func map(edit: (String) -> String = { $0 }) async throws -> MapSummary {
        let original = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        let path = folder + "/customers-\(UUID().uuidString.prefix(8)).csv"
        try edit(original).write(toFile: path, atomically: true, encoding: .windowsCP1252)
        let options = MapOptions(
            mappingPath: mappingPath, extracts: [path], command: "test", custmigVersion: CustmigVersion.current)
        return try await MapStage.run(options, workspace: workspace)
    }

    func dryRun(_ configure: (inout DryRunOptions) -> Void = { _ in }) async throws -> PlanSummary {
        var options = DryRunOptions(command: "test")
        configure(&options)
        return try await DryRunStage.run(workspace: workspace, target: target, options: options)
    }

    func cutover(_ plan: String = "latest") async throws -> CutoverSummary {
        var options = CutoverOptions(command: "test")
        options.allowUnapproved = true
        return try await CutoverStage.run(plan: plan, workspace: workspace, target: target, options: options)
    }

    func action(_ key: String, plan: Int64) throws -> (action: String, reason: String?, changes: String?)? {
        try workspace.ledger.database.read { db in
            try Row.fetchOne(
                db,
                sql:
                    "SELECT action, reason, changes FROM plan_action WHERE plan_id = ? AND canonical_key = ? AND IFNULL(apply_kind, '') != 'references'",
                arguments: [plan, key]
            ).map { ($0["action"], $0["reason"], $0["changes"]) }
        }
    }

    func keys(_ action: String, plan: Int64) throws -> [String] {
        try workspace.ledger.database.read { db in
            try String.fetchAll(
                db, sql: "SELECT canonical_key FROM plan_action WHERE plan_id = ? AND action = ? ORDER BY seq",
                arguments: [plan, action])
        }
    }

    func sql(_ statement: String) throws {
        let queue = try DatabaseQueue(path: targetPath)
        try queue.write { db in try db.execute(sql: statement) }
        try queue.close()
    }

    /// Every table's rows (but `except`'s), sorted, as text: a logical dump of the target.
    func dump(except: Set<String> = []) throws -> String {
        let queue = try DatabaseQueue(path: targetPath)
        defer { try? queue.close() }
        return try queue.read { db in
            var text = ""
            for table in try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            where !except.contains(table) {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").map { $0.description }.sorted()
                text += "\(table)\n" + rows.joined(separator: "\n") + "\n"
            }
            return text
        }
    }
}

/// Edits of the sample extract's lines by customer number.
extension String {
    func replacingLine(_ customer: String, _ transform: (String) -> String?) -> String {
        var lines = components(separatedBy: "\r\n")
        for (index, line) in lines.enumerated() where line.hasPrefix(customer + ";") {
            if let replaced = transform(line) { lines[index] = replaced } else { lines[index] = "\u{0}DROP" }
        }
        return lines.filter { $0 != "\u{0}DROP" }.joined(separator: "\r\n")
    }

    func field(_ index: Int, _ value: String) -> String {
        var fields = components(separatedBy: ";")
        fields[index] = value
        return fields.joined(separator: ";")
    }
}
