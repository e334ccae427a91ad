import Foundation
import GRDB

/// The steward's loop for pairs the matcher is unsure of: export them, let a steward write `merge` or
/// `keep_apart`, record the decisions beside the mapping, where every later run re-applies them.
public enum DuplicateReview {
    static let exportHeader =
        "first_key,second_key,score,first_name,second_name,first_city,second_city,evidence,decision,who"

    /// Writes the review pairs of the latest duplicates run as CSV; returns how many. `maskPII` masks the
    /// names and cities (a copy to show how many pairs of which kind wait, without whom); the keys stay, so
    /// a masked file can still carry decisions.
    ///
    /// The pairs name canonical keys; their legacy keys and data are found in one pass over the latest
    /// map run's records (joining by canonical key, which has no index, scanned the ledger per pair: at
    /// 200,000 customers and 3,000 pairs it ran for minutes).
    public static func export(workspace: Workspace, to path: String, maskPII: Bool = false) throws -> Int {
        let ledger = workspace.ledger
        struct Side {
            var legacyKey: String
            var name: String
            var city: String
        }
        let (pairs, sides) = try ledger.database.read { db -> ([DuplicateStore.Pair], [String: Side]) in
            guard
                let run = try RunStore.latestFinished(stage: "duplicates", db: db)?.id
            else {
                throw CustmigError(
                    .usage, code: "DUP-NO-RUN", "there is no duplicates run in \(workspace.path).",
                    fix: "run custmig duplicates first.")
            }
            let pairs = try DuplicateStore.reviewPairs(run: run, db: db)
            var needed = Set<String>()
            for pair in pairs {
                needed.insert(pair.first)
                needed.insert(pair.second)
            }
            var sides: [String: Side] = [:]
            guard !needed.isEmpty, let mapRun = try RunStore.latestFinishedMap(db: db) else { return (pairs, sides) }
            try CanonicalStore.forEachRecord(run: mapRun, inLegacyKeyOrder: true, db: db) { record in
                guard needed.contains(record.key), sides[record.key] == nil else { return true }
                let customer = record.customer
                sides[record.key] = Side(
                    legacyKey: record.legacyKey, name: customer?.names.first ?? "",
                    city: customer?.addresses.first?.city ?? "")
                return true
            }
            return (pairs, sides)
        }
        let output = try FileOutput(path: path, mode: 0o600)
        try output.write(exportHeader + "\n")
        let decoder = JSONDecoder()
        var written = 0
        for pair in pairs {
            // A pair whose customer is not in the latest map run (mapped again since) is left out.
            guard let first = sides[pair.first], let second = sides[pair.second] else { continue }
            let evidence =
                (try? decoder.decode([CustomerMatcher.Evidence].self, from: Data(pair.evidence.utf8)))?
                .filter { $0.weight != 0 }.map {
                    "\($0.field) \($0.level) \($0.weight > 0 ? "+" : "")\(Int($0.weight))"
                }
                .joined(separator: "; ") ?? ""
            let shown = maskPII ? PersonalData.mask : { $0 }
            let fields: [String] = [
                first.legacyKey, second.legacyKey, String(format: "%.1f", pair.score), shown(first.name),
                shown(second.name), shown(first.city), shown(second.city), evidence, "", "",
            ]
            // Keys, names and cities come from legacy data and the steward opens the file in a
            // spreadsheet: every cell defused like the findings; decide takes the apostrophe off keys again.
            let cells = fields.map(RejectReport.spreadsheetCell)
            try output.write(cells.joined(separator: ",") + "\n")
            written += 1
        }
        try output.close()
        return written
    }

    /// Records a steward's filled-in export into `duplicate-decisions.csv` beside the mapping, after
    /// checking every key against the latest map run and the whole file for contradictions.
    public static func decide(workspace: Workspace, stewardFile: String, mappingPath: String) throws -> Int {
        var options = ExtractOptions(format: .csv, encoding: .utf8, delimiter: UInt8(ascii: ","))
        options.hasHeader = true
        let reader = try CSVRecordReader(path: stewardFile, options: options)
        let columns = Set(reader.description.columns.map { $0.lowercased() })
        let needed = ["first_key", "second_key", "decision"]
        guard needed.allSatisfy(columns.contains) else {
            throw CustmigError(
                .usage, code: "DUP-DECISIONS",
                "\(stewardFile) is not a filled-in review export: it lacks the column(s) "
                    + needed.filter { !columns.contains($0) }.joined(separator: ", ") + ".",
                at: SourceLocation(file: stewardFile, line: 1),
                fix:
                    "fill in the decision column of the file custmig duplicates review --out wrote, and pass that file."
            )
        }
        var lines: [String] = []
        /// The steward file's line of each appended decision, to name it in any problem.
        var sourceLines: [Int] = []
        var unreadable: [CustmigError] = []
        while let record = try reader.next() {
            unreadable += reader.drainFindings().filter { $0.severity == .error }.map(DuplicateDecisionFile.problem)
            let decision = (record["decision"]?.text ?? "").trimmedWhitespace
            guard !decision.isEmpty else { continue }
            // Keys as the export neutralised them for a spreadsheet (`'=…`) are the keys again.
            let fields = [
                RejectReport.fromSpreadsheetCell(record["first_key"]?.text ?? ""),
                RejectReport.fromSpreadsheetCell(record["second_key"]?.text ?? ""), decision,
                RejectReport.fromSpreadsheetCell(record["who"]?.text ?? ""),
            ]
            // One physical line per decision: the line numbers below depend on it.
            lines.append(
                fields.map {
                    RejectReport.quote(
                        $0.trimmedWhitespace.replacingOccurrences(of: "\n", with: " ")
                            .replacingOccurrences(of: "\r", with: " "))
                }.joined(separator: ","))
            sourceLines.append(record.position.line)
        }
        unreadable += reader.drainFindings().filter { $0.severity == .error }.map(DuplicateDecisionFile.problem)
        if !unreadable.isEmpty {
            throw MappingProblems(problems: unreadable, subject: stewardFile, consequence: "no decision was recorded")
        }
        let target =
            ((mappingPath as NSString).deletingLastPathComponent.isEmpty
                ? "." : (mappingPath as NSString).deletingLastPathComponent)
            + "/duplicate-decisions.csv"
        var existing = (try? String(contentsOfFile: target, encoding: .utf8)) ?? (DuplicateDecisionFile.header + "\n")
        if !existing.hasSuffix("\n") { existing += "\n" }
        let existingLines = existing.utf8.lazy.filter { $0 == UInt8(ascii: "\n") }.count
        let combined = existing + lines.map { $0 + "\n" }.joined()
        let known = try workspace.ledger.database.read { db in
            try RunStore.latestFinishedMap(db: db).map { try CanonicalStore.legacyKeys(run: $0, db: db) } ?? []
        }
        let draft = target + ".draft"
        try combined.write(toFile: draft, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: draft) }
        // Name the line where the person can fix it: the steward file's, or the decisions file's.
        func place(_ line: Int) -> SourceLocation {
            line > existingLines && line - existingLines - 1 < sourceLines.count
                ? SourceLocation(file: stewardFile, line: sourceLines[line - existingLines - 1])
                : SourceLocation(file: target, line: line)
        }
        do {
            _ = try DuplicateDecisionFile.read(path: draft, knownKeys: known, lineName: { place($0).description })
        } catch var problems as MappingProblems {
            problems.problems = problems.problems.map { problem in
                var problem = problem
                if let line = problem.location?.line { problem.location = place(line) }
                return problem
            }
            problems.subject = "the decisions file"
            problems.consequence = "no decision was recorded"
            throw problems
        }
        try FileManager.default.removeItem(atPath: draft)
        try combined.write(toFile: target, atomically: true, encoding: .utf8)
        return lines.count
    }
}
