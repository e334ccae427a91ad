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

    static let maskedColumns: Set<String> = [
        "email", "phone", "vat_id", "tax_number_1", "tax_number_2", "iban", "account_number",
    ]

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
        return PlanReportRow(
            seq: row["seq"], key: row["canonical_key"], customerId: row["customer_id"] ?? "", action: action,
            reason: row["reason"] ?? "", name: row["name"] ?? "", country: row["country"] ?? "", changes: changes)
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
        try json.write(head + ",\"maskedPersonalData\":\(mask),\"actions\":[")
        try csv.write(csvHeader)
        var first = true
        var labels: [String: String] = [:]
        try ledger.database.read { db in
            let cursor = try Row.fetchCursor(db, sql: PlanReportRow.selectSQL + " ORDER BY seq", arguments: [plan])
            while let raw = try cursor.next() {
                let row = PlanReportRow.read(raw, mask: mask)
                let prefix = ["\(plan)", "\(row.seq)", row.key, row.customerId, row.action.rawValue]
                if row.changes.isEmpty {
                    try csv.write(
                        (prefix + ["", "", "", "", "", "", row.reason]).map(RejectReport.quote).joined(separator: ",")
                            + "\n")
                }
                for change in row.changes {
                    let fields =
                        prefix + [
                            change.path,
                            labels[change.path]
                                ?? {
                                    labels[change.path] = CustomerImage.label(change.path); return labels[change.path]!
                                }(), change.outcome.rawValue, change.base ?? "", change.theirs ?? "",
                            change.after ?? "", row.reason,
                        ]
                    try csv.write(fields.map(RejectReport.quote).joined(separator: ",") + "\n")
                }
                var object = JSONObjectWriter()
                object.string("action", row.action.rawValue)
                object.string("canonicalKey", row.key)
                object.objects("changes", row.changes.map(\.jsonText))
                object.string("country", row.country)
                object.string("customerId", row.customerId)
                object.string("name", row.name)
                object.string("reason", row.reason.isEmpty ? nil : row.reason)
                try json.write((first ? "" : ",") + "\n" + object.finished)
                first = false
            }
        }
        try json.write("\n]}\n")
        try csv.close()
        try json.close()
        return [csvPath, jsonPath]
    }
}
