import Foundation
import GRDB

/// One action of a stored plan as reports show it: the changed fields (an insert's are all its
/// values), masked when asked.
struct PlanReportRow {
    var seq: Int
    var key: String
    var customerId: String
    var action: PlanAction
    var reason: String
    var name: String
    var country: String
    var changes: [FieldChange]

    static var maskedColumns: Set<String> { PersonalData.columns }

    static func read(_ row: Row, mask: Bool) -> PlanReportRow {
        let action = PlanAction(rawValue: row["action"]) ?? .reject
        var changes: [FieldChange] = []
        if let text: String = row["changes"] {
            changes = (try? JSONDecoder().decode([FieldChange].self, from: Data(text.utf8))) ?? []
        } else if action == .insert, let text: String = row["image"], let image = CustomerImage(json: text) {
            changes = image.values.sorted { $0.key < $1.key }.map {
                FieldChange(path: $0.key, outcome: .change, ours: $0.value, after: $0.value)
            }
        }
        if mask {
            changes = changes.map { change in
                guard maskedColumns.contains(CustomerImage.split(change.path).column) else { return change }
                var masked = change
                masked.base = change.base.map(PersonalData.mask)
                masked.ours = change.ours.map(PersonalData.mask)
                masked.theirs = change.theirs.map(PersonalData.mask)
                masked.after = change.after.map(PersonalData.mask)
                return masked
            }
        }
        let reason: String = row["reason"] ?? ""
        return PlanReportRow(
            seq: row["seq"], key: row["canonical_key"], customerId: row["customer_id"] ?? "", action: action,
            reason: mask ? PersonalData.maskingMentions(in: reason) : reason, name: row["name"] ?? "",
            country: row["country"] ?? "", changes: changes)
    }

    static let selectSQL = """
        SELECT seq, canonical_key, customer_id, action, reason, name, country, changes, image FROM plan_action
        WHERE plan_id = ? AND action != 'unchanged' AND IFNULL(apply_kind, '') != 'references'
        """
}

/// The plan for scripts: CSV with one row per changed field (one row with the reason for a reject or
/// a deactivation), and JSON with the summary and every action but the unchanged ones.
enum PlanExport {
    static let csvHeader = "plan,seq,canonical_key,customer_id,action,field,label,outcome,base,before,after,reason\n"

    static func write(plan: Int64, summary: PlanSummary, ledger: Ledger, folder: String, mask: Bool) throws -> [String]
    {
        let csvPath = folder + "/plan.csv"
        let jsonPath = folder + "/plan.json"
        let csv = try FileOutput(path: csvPath, mode: 0o600)
        let json = try FileOutput(path: jsonPath, mode: 0o600)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var head = String(decoding: try encoder.encode(summary), as: UTF8.self)
        head.removeLast()
        try json.write(
            head + ",\"custmigVersion\":\"\(CustmigVersion.current)\",\"maskedPersonalData\":\(mask),\"actions\":[")
        try csv.write(csvHeader)
        var first = true
        // Rows are read in chunks and formatted on every core (a first load's export has one CSV row per
        // inserted field: millions of rows), then written in plan order.
        try ledger.database.read { db in
            let cursor = try Row.fetchCursor(db, sql: PlanReportRow.selectSQL + " ORDER BY seq", arguments: [plan])
            var chunk: [Row] = []
            func flush() throws {
                let rows = chunk
                let texts = ParallelMap.map(rows.indices) { index in
                    format(PlanReportRow.read(rows[index], mask: mask), plan: plan)
                }
                for text in texts {
                    try csv.write(text.csv)
                    try json.write((first ? "" : ",") + "\n" + text.json)
                    first = false
                }
                chunk.removeAll(keepingCapacity: true)
            }
            while let raw = try cursor.next() {
                chunk.append(raw.copy())
                if chunk.count == 2_048 { try flush() }
            }
            try flush()
        }
        try json.write("\n]}\n")
        try csv.close()
        try json.close()
        return [csvPath, jsonPath]
    }

    /// One action's CSV lines and JSON object.
    static func format(_ row: PlanReportRow, plan: Int64) -> (csv: String, json: String) {
        let prefix = ["\(plan)", "\(row.seq)", row.key, row.customerId, row.action.rawValue]
        var csv = ""
        if row.changes.isEmpty {
            csv +=
                (prefix + ["", "", "", "", "", "", row.reason]).map(RejectReport.spreadsheetCell).joined(separator: ",")
                + "\n"
        }
        for change in row.changes {
            let fields =
                prefix + [
                    change.path, CustomerImage.label(change.path), change.outcome.rawValue, change.base ?? "",
                    change.theirs ?? "", change.after ?? "", row.reason,
                ]
            csv += fields.map(RejectReport.spreadsheetCell).joined(separator: ",") + "\n"
        }
        var object = JSONObjectWriter()
        object.string("action", row.action.rawValue)
        object.string("canonicalKey", row.key)
        object.objects("changes", row.changes.map(\.jsonText))
        object.string("country", row.country)
        object.string("customerId", row.customerId)
        object.string("name", row.name)
        object.string("reason", row.reason.isEmpty ? nil : row.reason)
        return (csv, object.finished)
    }
}
