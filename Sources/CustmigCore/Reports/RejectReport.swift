import Foundation
import GRDB

/// The reject and review report a data steward fixes the source from: CSV (one row per finding, and
/// one per malformed record) and HTML grouped by rule, with the first rows of each rule.
public enum RejectReport {
    static let csvHeader = "outcome,rule,legacy_key,field,value,message,fix,file,line,record\n"

    public static func write(
        run: Int64, ledger: Ledger, folder: String, rowsPerRule: Int = 200, mask: Bool = false
    ) throws -> [String] {
        let csvPath = folder + "/findings.csv"
        let htmlPath = folder + "/findings.html"
        let csv = try FileOutput(path: csvPath, mode: 0o600)
        try csv.write(csvHeader)
        var groups: [(rule: String, outcome: String, total: Int, rows: [[String]])] = []
        // On the ledger's read connection, so that it runs beside the summary's counting.
        try ledger.reader().read { db in
            let pathOf = try RunStore.inputPaths(run: run, db: db)
            var line = ""
            try FindingStore.forEachReported(run: run, db: db) { finding in
                var fields: [String] = [
                    finding.outcome, finding.rule, finding.legacyKey ?? "", finding.field ?? "", finding.value ?? "",
                    finding.message, finding.fix ?? "", pathOf[finding.input] ?? "", String(finding.line),
                    String(finding.index),
                ]
                if mask { fields = masked(fields) }
                line.removeAll(keepingCapacity: true)
                for (index, field) in fields.enumerated() {
                    if index > 0 { line += "," }
                    line += spreadsheetCell(field)
                }
                line += "\n"
                try csv.write(line)
                let rule = fields[1]
                if groups.last?.rule != rule { groups.append((rule, fields[0], 0, [])) }
                groups[groups.count - 1].total += 1
                if groups[groups.count - 1].rows.count < rowsPerRule { groups[groups.count - 1].rows.append(fields) }
            }
            // Records the reader could not read, then what it found wrong with a file as a whole (listed
            // once, though a resumed run meets it again).
            var malformedRows: [[String]] = []
            var malformedTotal = 0
            var fileRows: [[String]] = []
            try MalformedStore.forEachReported(run: run, db: db) { row in
                let record = row.recordIndex.map(String.init)
                let message = row.message
                let fields: [String] = [
                    record == nil ? "extract" : "malformed", row.code, "", "", "",
                    mask ? PersonalData.maskingMentions(in: message) : message,
                    record == nil
                        ? "check the export as a whole: see the message" : "fix the file at this line and export again",
                    pathOf[row.input] ?? "", row.line.map(String.init) ?? "", record ?? "",
                ]
                try csv.write(fields.map(spreadsheetCell).joined(separator: ",") + "\n")
                if record == nil {
                    fileRows.append(fields)
                    return
                }
                malformedTotal += 1
                if malformedRows.count < rowsPerRule { malformedRows.append(fields) }
            }
            if !fileRows.isEmpty {
                groups.append(("problems with the extract itself", "extract", fileRows.count, fileRows))
            }
            if malformedTotal > 0 { groups.append(("malformed records", "malformed", malformedTotal, malformedRows)) }
        }
        try csv.close()
        let html = try FileOutput(path: htmlPath, mode: 0o600)
        try html.write(render(groups: groups.sorted { $0.total > $1.total }, run: run))
        try html.close()
        return [htmlPath, csvPath]
    }

    /// A quoted cell of a CSV that people open in a spreadsheet. Legacy text starting with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return is a formula to Excel and LibreOffice (`=HYPERLINK(…)` in a name
    /// field would run on the reviewer's machine), so it gets a leading apostrophe, as OWASP advises;
    /// numbers (`-12.50`, `+49301234567`) stay as they are.
    static func spreadsheetCell(_ value: String) -> String {
        guard let first = value.utf8.first,
            first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
                || first == UInt8(ascii: "@") || first == 0x09 || first == 0x0D
        else { return quote(value) }
        let digits = value.utf8.dropFirst()
        let isNumber =
            !digits.isEmpty && (first == UInt8(ascii: "+") || first == UInt8(ascii: "-"))
            && digits.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ",") }
        return quote(isNumber ? value : "'" + value)
    }

    /// A cell of a custmig CSV read back (a steward's filled-in export): the apostrophe
    /// ``spreadsheetCell(_:)`` put before a formula character is taken off again.
    static func fromSpreadsheetCell(_ value: String) -> String {
        guard value.hasPrefix("'"), let next = value.dropFirst().first,
            "=+-@\t\r".contains(next)
        else { return value }
        return String(value.dropFirst())
    }

    /// A finding's row with its personal value masked, in its value column and wherever its message
    /// or fix repeats it, and any other personal value the message mentions.
    static func masked(_ fields: [String]) -> [String] {
        var fields = fields
        let value = fields[4]
        let column = fields[3].split(separator: ".").last.map { String($0.prefix { $0 != "[" }) } ?? ""
        let personal =
            !value.isEmpty
            && (PersonalData.columns.contains(column.lowercased()) || PersonalData.looksPersonal(Substring(value)))
        for index in [5, 6] {
            var text = PersonalData.maskingMentions(in: fields[index])
            if personal && value.count >= 3 {
                text = text.replacingOccurrences(of: value, with: PersonalData.mask(value))
            }
            fields[index] = text
        }
        if personal { fields[4] = PersonalData.mask(value) }
        return fields
    }

    /// RFC 4180 quoting, by bytes (Foundation's `contains` on Linux goes through CFString: slow).
    static func quote(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return value }
        // By bytes too: walking Characters (grapheme breaking) was half of the report's time.
        var bytes: [UInt8] = [0x22]
        bytes.reserveCapacity(value.utf8.count + 8)
        for byte in value.utf8 {
            if byte == 0x22 { bytes.append(0x22) }
            bytes.append(byte)
        }
        bytes.append(0x22)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func render(
        groups: [(rule: String, outcome: String, total: Int, rows: [[String]])], run: Int64
    ) -> String {
        var html =
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rejects and review items, run \(run)</title>"
        html += "<style>\(HTML.style)</style></head><body><header><h1>Rejects and review items — map run \(run)</h1>"
        html += "<div class=\"facts\"><span>\(groups.reduce(0) { $0 + $1.total }) findings in \(groups.count) rules. "
        html += "Full list: findings.csv beside this page.</span></div></header><main>"
        if groups.isEmpty { html += "<p>No rejects, review items or malformed records.</p>" }
        html += "<table><tr><th>rule</th><th>outcome</th><th class=\"num\">records</th></tr>"
        for (index, group) in groups.enumerated() {
            html += "<tr><td><a href=\"#g\(index)\">\(HTML.escape(group.rule))</a></td><td>\(group.outcome)</td>"
            html += "<td class=\"num\">\(HTML.grouped(group.total))</td></tr>"
        }
        html += "</table>"
        for (index, group) in groups.enumerated() {
            html +=
                "<section class=\"card\" id=\"g\(index)\" style=\"margin-top:14px\"><h2>\(HTML.escape(group.rule))</h2>"
            html += "<p class=\"muted\">\(group.outcome): \(HTML.grouped(group.total)) records"
            if group.rows.count < group.total { html += " (first \(group.rows.count) shown)" }
            if let fix = group.rows.first?[6], !fix.isEmpty { html += ". Fix: \(HTML.escape(fix))" }
            html +=
                "</p><table><tr><th>legacy key</th><th>field</th><th>value</th><th>message</th><th>file:line</th></tr>"
            for row in group.rows {
                html +=
                    "<tr><td>\(HTML.escape(row[2]))</td><td>\(HTML.escape(row[3]))</td><td>\(HTML.escape(HTML.visible(row[4])))</td>"
                html +=
                    "<td>\(HTML.escape(row[5]))</td><td>\(HTML.escape((row[7] as NSString).lastPathComponent)):\(row[8])</td></tr>"
            }
            html += "</table></section>"
        }
        return html + "</main>\(HTML.colophon)</body></html>\n"
    }
}
