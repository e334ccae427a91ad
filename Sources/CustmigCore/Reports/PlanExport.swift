import Foundation
import GRDB

/// One action of a stored plan as reports show it: the changed fields (an insert's are all its
/// values), masked when asked.
struct PlanReportRow {
    var seq: Int
    var key: String
    var legacyKey: String
    var customerId: String
    var action: PlanAction
    var reason: String
    var name: String
    var country: String
    var changes: [FieldChange]
    /// An insert read without its fields (`expandInserts` false): how many it fills, and the bytes of their
    /// paths, labels and values, to size the field-level export without building it.
    var insertFields: (count: Int, bytes: Int)?

    static var maskedColumns: Set<String> { PersonalData.columns }

    /// Rows read by ``PlanStore/reportCursor(plan:db:)``, with the inserts that refer to their canonical records rebuilt from them
    /// when their fields are shown (`expandInserts`).
    static func read(
        _ rows: [Row], plan: Int64, mask: Bool, expandInserts: Bool = true, db: Database
    ) throws -> [PlanReportRow] {
        var rebuilt: [String: CustomerImage] = [:]
        if expandInserts {
            let records = try PlanRecords(plan: plan, db: db)
            rebuilt = try records.images(insertsToExpand(rows), db: db)
        }
        return rows.map {
            read(
                $0, mask: mask, expandInserts: expandInserts,
                rebuilt: expandInserts ? rebuilt[$0[PlanStore.ReportColumn.canonicalKey]] : nil)
        }
    }

    /// An insert's fields, shown as changes from nothing.
    static func fields(of image: CustomerImage) -> [FieldChange] {
        image.values.sorted { $0.key < $1.key }.map {
            FieldChange(path: $0.key, outcome: .change, ours: $0.value, after: $0.value)
        }
    }

    static func masked(_ changes: [FieldChange]) -> [FieldChange] {
        changes.map { change in
            guard maskedColumns.contains(CustomerImage.split(change.path).column) else { return change }
            var masked = change
            masked.base = change.base.map(PersonalData.mask)
            masked.ours = change.ours.map(PersonalData.mask)
            masked.theirs = change.theirs.map(PersonalData.mask)
            masked.after = change.after.map(PersonalData.mask)
            return masked
        }
    }

    /// An insert read without its record (by reference), shown with the image rebuilt from it.
    mutating func expand(with image: CustomerImage, mask: Bool) {
        guard action == .insert, changes.isEmpty else { return }
        changes = mask ? Self.masked(Self.fields(of: image)) : Self.fields(of: image)
    }

    /// The inserts among `rows` whose fields are shown from their records.
    static func insertsToExpand(_ rows: [Row]) -> [PlanRecords.Wanted] {
        rows.filter { $0[PlanStore.ReportColumn.action] as String == PlanAction.insert.rawValue }
            .compactMap(PlanRecords.wanted)
    }

    static func read(
        _ row: Row, mask: Bool, expandInserts: Bool = true, rebuilt: CustomerImage? = nil
    ) -> PlanReportRow {
        typealias Column = PlanStore.ReportColumn
        let action = PlanAction(rawValue: row[Column.action]) ?? .reject
        var changes: [FieldChange] = []
        var insertFields: (count: Int, bytes: Int)?
        if let text: String = row[Column.changes] {
            changes = (try? JSONDecoder().decode([FieldChange].self, from: Data(text.utf8))) ?? []
        } else if action == .insert, !expandInserts, let count: Int = row[Column.fieldCount],
            let bytes: Int = row[Column.fieldBytes]
        {
            // An insert that refers to its record: sized when it was planned.
            insertFields = (count, bytes)
        } else if action == .insert, let image = rebuilt {
            changes = fields(of: image)
        } else if action == .insert, !expandInserts, let text: String = row[Column.image] {
            // Counted from the image's bytes: no dictionary, no change records (a first load's export read
            // 165,000 images that way in a fraction of the time).
            var sized = (count: 0, bytes: 0)
            FlatJSON.forEach(text) { path, value in
                sized.count += 1
                sized.bytes += CustomerImage.exportBytes(path: path, valueBytes: value.count)
            }
            insertFields = sized
        } else if action == .insert, let text: String = row[Column.image], let image = CustomerImage(json: text) {
            changes = fields(of: image)
        }
        if mask { changes = masked(changes) }
        let reason: String = row[Column.reason] ?? ""
        return PlanReportRow(
            seq: row[Column.seq], key: row[Column.canonicalKey], legacyKey: row[Column.legacyKey] ?? "",
            customerId: row[Column.customerId] ?? "", action: action,
            reason: mask ? PersonalData.maskingMentions(in: reason) : reason, name: row[Column.name] ?? "",
            country: row[Column.country] ?? "", changes: changes, insertFields: insertFields)
    }
}

/// The plan for scripts and spreadsheets, sized for the people who read them: `plan.csv` and `plan.json`
/// hold one line per customer action (unchanged customers are only counted) and, for updates and
/// conflicts, one line per changed field (in plan.json, each action is an array in the order its
/// `columns` name, trailing empty positions left out: an object per action doubled the file). The field-level image of every insert (20-30 lines a customer)
/// is left to `custmig plan export PLAN --fields`, streamed on request; the reports say how big it would be.
public enum PlanExport {
    static let csvHeader =
        "canonical_key,legacy_key,customer_id,name,country,action,changed_fields,field,label,outcome,base,before,after,reason\n"

    /// How big the field-level export of a plan would be, stated in the reports that leave it out.
    public struct FieldExportSize: Sendable, Codable, Equatable {
        public var lines: Int
        public var bytes: Int64
    }

    /// What `custmig plan export` wrote.
    public struct Written: Sendable {
        public var plan: Int64
        public var path: String
        public var actions: Int
        public var lines: Int
        public var bytes: Int64
    }

    /// Writes the reports' `plan.csv` and `plan.json`; returns their paths and the full export's size.
    static func write(
        plan: Int64, summary: PlanSummary, ledger: Ledger, folder: String, mask: Bool
    ) async throws -> (paths: [String], fieldExport: FieldExportSize) {
        let csvPath = folder + "/plan.csv"
        let jsonPath = folder + "/plan.json"
        let csv = try FileOutput(path: csvPath, mode: 0o600)
        let json = try FileOutput(path: jsonPath, mode: 0o600)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var head = String(decoding: try encoder.encode(summary), as: UTF8.self)
        head.removeLast()
        try json.write(
            head + ",\"custmigVersion\":\"\(CustmigVersion.current)\",\"maskedPersonalData\":\(mask),"
                + "\"columns\":[\"canonicalKey\",\"legacyKey\",\"customerId\",\"name\",\"country\",\"action\","
                + "\"changedFields\",\"reason\",\"changes\"],\"actions\":[")
        try csv.write(csvHeader)
        var first = true
        var size = FieldExportSize(lines: 1, bytes: Int64(csvHeader.utf8.count))
        try await stream(plan: plan, ledger: ledger, mask: mask, fields: false, compact: true) { text in
            try csv.write(text.csv)
            try json.write((first ? "" : ",") + "\n" + text.json)
            first = false
            size.lines += text.fullLines
            size.bytes += text.fullBytes
        }
        try json.write("\n],\"fieldExport\":\(String(decoding: try encoder.encode(size), as: UTF8.self))}\n")
        try csv.close()
        try json.close()
        return ([csvPath, jsonPath], size)
    }

    /// `custmig plan export`: the plan's actions, or with `fields` every field of every action (inserts
    /// included), as CSV or JSON Lines by the name's extension (`.csv`, `.jsonl`, either with `.gz`).
    public static func export(
        plan reference: String, workspace: Workspace, fields: Bool, to path: String, mask: Bool
    ) async throws -> Written {
        let plan = try PlanStore.resolve(reference, ledger: workspace.ledger)
        let bare = path.hasSuffix(".gz") ? String(path.dropLast(3)) : path
        let jsonLines = bare.hasSuffix(".jsonl") || bare.hasSuffix(".ndjson")
        guard jsonLines || bare.hasSuffix(".csv") else {
            throw CustmigError(
                .usage, code: "PLAN-EXPORT-FORMAT", "cannot tell the format of \"\(path)\" from its name.",
                fix: "name the file .csv or .jsonl (JSON Lines), with .gz to compress it, e.g. plan-fields.csv.gz.")
        }
        let output = try TextOutput(path: path)
        var written = Written(plan: plan, path: path, actions: 0, lines: 0, bytes: 0)
        if !jsonLines {
            try output.write(csvHeader)
            written.lines = 1
        }
        try await stream(plan: plan, ledger: workspace.ledger, mask: mask, fields: fields) { text in
            let line = jsonLines ? text.json + "\n" : text.csv
            try output.write(line)
            written.actions += 1
            written.lines += jsonLines ? 1 : text.csvLines
            written.bytes += Int64(line.utf8.count)
        }
        try output.close()
        return written
    }

    /// One action's lines, with what its field-level lines would weigh.
    struct Lines {
        var csv: String
        var csvLines: Int
        var json: String
        var fullLines: Int
        var fullBytes: Int64
    }

    /// Reads the plan's actions in chunks (the next on a child task while this one is formatted),
    /// formats them on every core, and hands them on in plan order.
    static func stream(
        plan: Int64, ledger: Ledger, mask: Bool, fields: Bool, compact: Bool = false, _ sink: (Lines) throws -> Void
    ) async throws {
        let database = ledger.database
        var after: Int64?
        try await ReadAhead.forEach(read: {
            () throws -> (rows: [PlanReportRow], inserts: (PlanRecords, PlanRecords.Fetched)?)? in
            try database.read { db in
                let chunk = try PlanStore.reportRows(plan: plan, after: after, limit: 2_048, db: db)
                guard let last = chunk.last else { return nil }
                after = last["seq"]
                let rows = chunk.map { PlanReportRow.read($0, mask: mask, expandInserts: fields) }
                guard fields else { return (rows, nil) }
                let records = try PlanRecords(plan: plan, db: db)
                return (rows, (records, try records.fetch(PlanReportRow.insertsToExpand(chunk), db: db)))
            }
        }) { chunk, inserts in
            // The inserts' images rebuilt from their records, then every row formatted, on every core.
            var rebuilt: [String: CustomerImage] = [:]
            if let (records, fetched) = inserts { rebuilt = try await records.imagesOnEveryCore(fetched) }
            let texts = await ParallelWork.map(chunk.indices) { [rebuilt] index in
                var row = chunk[index]
                if let image = rebuilt[row.key] { row.expand(with: image, mask: mask) }
                return format(row, plan: plan, fields: fields, compact: compact)
            }
            for text in texts { try sink(text) }
        }
    }

    /// One action's CSV lines and JSON object: the action line, then a line per changed field (every
    /// field of an insert only when `fields`).
    static func format(_ row: PlanReportRow, plan: Int64, fields: Bool, compact: Bool = false) -> Lines {
        let listsFields = fields || row.action != .insert
        // No plan id or sequence number: the folder and plan.json name the plan, and lines are in plan order.
        let prefix = [row.key, row.legacyKey, row.customerId, row.name, row.country, row.action.rawValue]
        let line = { (cells: [String]) in cells.map(RejectReport.spreadsheetCell).joined(separator: ",") + "\n" }
        let changedFields = row.insertFields?.count ?? row.changes.count
        var csv = line(prefix + ["\(changedFields)", "", "", "", "", "", "", row.reason])
        var csvLines = 1
        var fullLines = 1
        var fullBytes = Int64(csv.utf8.count)
        let fieldPrefix = [row.key, row.legacyKey, row.customerId, "", "", row.action.rawValue, ""]
        let fieldPrefixBytes = fieldPrefix.reduce(0) { $0 + $1.utf8.count + 1 }
        for change in row.changes {
            let label = CustomerImage.label(change.path)
            if listsFields {
                let text = line(
                    fieldPrefix + [
                        change.path, label, change.outcome.rawValue, change.base ?? "", change.theirs ?? "",
                        change.after ?? "", "",
                    ])
                csv += text
                csvLines += 1
                fullBytes += Int64(text.utf8.count)
            } else {
                // What the line would weigh (without the quoting a few values need).
                fullBytes += Int64(
                    fieldPrefixBytes + change.path.utf8.count + label.utf8.count + change.outcome.rawValue.utf8.count
                        + (change.after?.utf8.count ?? 0) + 7)
            }
            fullLines += 1
        }
        if let sized = row.insertFields {
            fullLines += sized.count
            fullBytes += Int64(
                sized.count * (fieldPrefixBytes + FieldChange.Outcome.change.rawValue.utf8.count + 7) + sized.bytes)
        }
        if compact {
            // plan.json's row: the positions its "columns" name, trailing empty ones left out.
            var cells: [[UInt8]] = [row.key, row.legacyKey, row.customerId, row.name, row.country, row.action.rawValue]
                .map { value in
                    var bytes: [UInt8] = []
                    JSONBytes.appendString(value, to: &bytes)
                    return bytes
                }
            cells.append(Array(String(changedFields).utf8))
            var reason: [UInt8] = []
            if !row.reason.isEmpty { JSONBytes.appendString(row.reason, to: &reason) }
            let changes =
                listsFields && !row.changes.isEmpty
                ? "[" + row.changes.map(\.jsonText).joined(separator: ",") + "]" : ""
            if !changes.isEmpty {
                cells.append(reason.isEmpty ? Array("null".utf8) : reason)
                cells.append(Array(changes.utf8))
            } else if !reason.isEmpty {
                cells.append(reason)
            }
            let json = "[" + cells.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",") + "]"
            return Lines(csv: csv, csvLines: csvLines, json: json, fullLines: fullLines, fullBytes: fullBytes)
        }
        var object = JSONObjectWriter()
        object.string("action", row.action.rawValue)
        object.string("canonicalKey", row.key)
        object.int("changedFields", changedFields)
        if listsFields { object.objects("changes", row.changes.map(\.jsonText)) }
        object.string("country", row.country)
        object.string("customerId", row.customerId)
        object.string("legacyKey", row.legacyKey.isEmpty ? nil : row.legacyKey)
        object.string("name", row.name)
        object.string("reason", row.reason.isEmpty ? nil : row.reason)
        return Lines(csv: csv, csvLines: csvLines, json: object.finished, fullLines: fullLines, fullBytes: fullBytes)
    }
}
