import Foundation
import GRDB

/// The map runs' findings in the ledger (`finding`): the one place that knows how a finding is stored,
/// so that its storage can change without the stages and reports that read it. Every function runs in
/// the caller's read or write.
///
/// A finding is stored as a code and its arguments: its message with the value it quotes taken out, and
/// its fix, are sentences many findings share, stored once (`finding_text`) and referred to by id; the
/// sentence is put back together when it is read (`finding_shown`). Findings stored before, and
/// sentences that cannot be shared, keep their text in the row.
enum FindingStore {
    /// A multi-row insert of findings; ``bind(_:run:legacyKey:finding:input:line:index:)`` fills a row.
    static func inserter(db: Database) -> MultiRowInsert {
        MultiRowInsert(
            db,
            prefix: """
                INSERT INTO finding (run_id, legacy_key, outcome, rule, field, value, message, message_id, fix,
                fix_id, source_input, source_line, source_index)
                """, columns: 13)
    }

    /// A finding as it is stored: its value as kept, and its sentences by id where they are shared.
    struct Prepared {
        let finding: MappingFinding
        let value: String?
        let message: String
        let messageId: Int64?
        let fix: String?
        let fixId: Int64?
    }

    /// Binds one finding's row of an ``inserter(db:)``.
    @inline(__always)
    static func bind(
        _ bind: inout RawStatement.Binder, run: Int, legacyKey: String?, finding: Prepared, input: Int,
        line: Int, index: Int
    ) {
        bind.int(run)
        bind.text(legacyKey)
        bind.text(finding.finding.outcome.rawValue)
        bind.text(finding.finding.rule)
        bind.text(finding.finding.field)
        bind.text(finding.value)
        bind.text(finding.message)
        bind.optionalInt(finding.messageId.map(Int.init))
        bind.text(finding.fix)
        bind.optionalInt(finding.fixId.map(Int.init))
        bind.int(input)
        bind.int(line)
        bind.int(index)
    }

    /// The shared sentences of findings, by text: what ``prepare(_:db:)`` looks up before a finding is
    /// stored. Bounded: past `limit` distinct sentences (messages that quote more than their value), new
    /// ones stay in their rows. Sentences added in a write that is rolled back are forgotten with it
    /// (``settle(committed:)``).
    struct Texts {
        static let limit = 20_000
        /// U+0001, a control character: always a character of its own, so a byte test finds it.
        static let placeholder: UInt8 = 1
        private var ids: [String: Int64] = [:]
        private var added: [String] = []

        /// The sentences stored already (up to `limit`), so resumed and later runs share them.
        init(db: Database) throws {
            for row in try Row.fetchAll(
                db, sql: "SELECT id, text FROM finding_text ORDER BY id LIMIT ?", arguments: [Self.limit])
            {
                ids[row[1]] = row[0]
            }
        }

        /// The finding as stored, its message and fix by id when they are (or can become) shared.
        mutating func prepare(_ finding: MappingFinding, db: Database) throws -> Prepared {
            let value = MappingFinding.stored(finding.value)
            var messageId: Int64?
            // The placeholder marks where the value goes back; a message that has one itself is not shared.
            if !finding.message.utf8.contains(Self.placeholder) {
                var template = finding.message
                if let value, !value.isEmpty {
                    template = template.replacingBytes(of: value, with: "\u{1}")
                }
                messageId = try id(template, db: db)
            }
            let fixId = try finding.fix.flatMap { $0.utf8.contains(Self.placeholder) ? nil : try id($0, db: db) }
            return Prepared(
                finding: finding, value: value, message: messageId == nil ? finding.message : "", messageId: messageId,
                fix: fixId == nil ? finding.fix : nil, fixId: fixId)
        }

        private mutating func id(_ text: String, db: Database) throws -> Int64? {
            if let id = ids[text] { return id }
            guard ids.count < Self.limit else { return nil }
            try db.execute(sql: "INSERT INTO finding_text (text) VALUES (?)", arguments: [text])
            ids[text] = db.lastInsertedRowID
            added.append(text)
            return db.lastInsertedRowID
        }

        /// After the write the sentences were added in: kept when it committed, else forgotten.
        mutating func settle(committed: Bool) {
            if !committed { for text in added { ids[text] = nil } }
            added.removeAll()
        }
    }

    /// Deletes the findings of one record (it lost its key to a later record of the run).
    static func delete(run: Int64, legacyKey: String, db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM finding WHERE run_id = ? AND legacy_key = ?").execute(
            arguments: [run, legacyKey])
    }

    /// Deletes a rule's findings of a run, after copying the keys they were about into `temp.<table>`
    /// (a rule checked again over the whole run: the records whose status may change).
    static func delete(run: Int64, rule: String, keepingKeysIn table: String, db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO temp.\(table)
                SELECT legacy_key FROM finding WHERE run_id = ? AND rule = ? AND legacy_key IS NOT NULL
                """, arguments: [run, rule])
        try db.execute(sql: "DELETE FROM finding WHERE run_id = ? AND rule = ?", arguments: [run, rule])
    }

    /// A record's stored findings of the given rules, in the order they were found.
    static func findings(run: Int64, legacyKey: String, rules: [String], db: Database) throws -> [MappingFinding] {
        guard !rules.isEmpty else { return [] }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT outcome, rule, field, value, message, fix FROM finding_shown
                WHERE run_id = ? AND legacy_key = ? AND rule IN (\(rules.map { _ in "?" }.joined(separator: ", ")))
                ORDER BY id
                """,
            arguments: StatementArguments([run, legacyKey] as [any DatabaseValueConvertible])
                + StatementArguments(rules)
        ).map {
            MappingFinding(
                MappingFinding.Outcome(rawValue: $0[0]) ?? .review, rule: $0[1], field: $0[2], value: $0[3],
                message: $0[4], fix: $0[5])
        }
    }

    static func count(run: Int64, db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM finding WHERE run_id = ?", arguments: [run]) ?? 0
    }

    /// Blanks what findings quote from the source (values, messages), keeping rule and field; returns
    /// how many changed.
    static func forgetSourceValues(run: Int64, db: Database) throws -> Int {
        try db.execute(
            sql: """
                UPDATE finding SET value = NULL, message = '(purged: it quoted source values)', message_id = NULL
                WHERE run_id = ? AND (value IS NOT NULL OR message <> '(purged: it quoted source values)')
                """, arguments: [run])
        return db.changesCount
    }

    /// Why each record held or rejected by a run's findings is not loaded (its first reject, else its
    /// first review), by legacy key.
    static func holdingReasons(run: Int64, db: Database) throws -> [String: String] {
        var reasons: [String: String] = [:]
        // A cursor: a million-record run has a few hundred thousand such findings, read once each.
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT legacy_key, outcome, rule, field, value, message FROM finding_shown
                WHERE run_id = ? AND outcome IN ('reject', 'review') ORDER BY outcome = 'reject' DESC, id
                """, arguments: [run])
        while let row = try rows.next() {
            guard let key: String = row[0], reasons[key] == nil else { continue }
            var text = "\(row[1] as String == "reject" ? "rejected by" : "waiting for review of") \(row[2] as String)"
            if let field: String = row[3] {
                text += " (\(field)" + ((row[4] as String?).map { " = \"\($0)\"" } ?? "") + ")"
            }
            text += ": \(row[5] as String)"
            reasons[key] = text
        }
        return reasons
    }

    // MARK: Reports and summaries

    /// A finding as the reject report lists it.
    struct Reported {
        let outcome: String
        let rule: String
        let legacyKey: String?
        let field: String?
        let value: String?
        let message: String
        let fix: String?
        let input: Int
        let line: Int
        let index: Int
    }

    /// A run's rejects, reviews and notes, by rule, then in source order.
    static func forEachReported(run: Int64, db: Database, _ body: (Reported) throws -> Void) throws {
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT outcome, rule, legacy_key, field, value, message, fix, source_input, source_line, source_index
                FROM finding_shown WHERE run_id = ? AND outcome IN ('reject', 'review', 'note')
                ORDER BY rule, source_input, source_index
                """, arguments: [run])
        // Columns by position: a name lookup per column per finding was a third of the report's time.
        while let row = try cursor.next() {
            try body(
                Reported(
                    outcome: row[0], rule: row[1], legacyKey: row[2], field: row[3], value: row[4], message: row[5],
                    fix: row[6], input: row[7], line: row[8], index: row[9]))
        }
    }

    /// How many findings each rule made with each outcome, most first.
    static func ruleCounts(run: Int64, db: Database) throws -> [MapSummary.RuleCount] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT rule, outcome, COUNT(*) AS n FROM finding WHERE run_id = ? GROUP BY rule, outcome
                ORDER BY n DESC, rule
                """, arguments: [run]
        ).map { MapSummary.RuleCount(rule: $0[0], outcome: $0[1], count: $0[2]) }
    }

    /// The codes no value map knew, most frequent first (at most `limit`), and how many distinct ones
    /// there were.
    static func unknownCodes(
        run: Int64, limit: Int, db: Database
    ) throws -> (
        listed: [MapSummary.UnknownCode], total: Int
    ) {
        let listed = try Row.fetchAll(
            db,
            sql: """
                SELECT rule, value, COUNT(*) AS n FROM finding WHERE run_id = ? AND rule LIKE 'value_map:%'
                GROUP BY rule, value ORDER BY n DESC, value LIMIT \(limit)
                """, arguments: [run]
        ).map {
            MapSummary.UnknownCode(
                valueMap: String(($0[0] as String).dropFirst("value_map:".count)), code: $0[1] ?? "", count: $0[2])
        }
        guard listed.count >= limit else { return (listed, listed.count) }
        let total = try Int.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) FROM (SELECT 1 FROM finding WHERE run_id = ? AND rule LIKE 'value_map:%'
                GROUP BY rule, value)
                """, arguments: [run])
        return (listed, total ?? listed.count)
    }

    /// Legacy keys of the records a steward's correction changed.
    static func correctedKeys(run: Int64, db: Database) throws -> Set<String> {
        Set(
            try String.fetchAll(
                db, sql: "SELECT DISTINCT legacy_key FROM finding WHERE run_id = ? AND outcome = 'corrected'",
                arguments: [run]))
    }

    /// (legacy key, rule) of every finding a steward's review decision settled.
    static func decided(run: Int64, db: Database) throws -> [(legacyKey: String?, rule: String)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT legacy_key, rule FROM finding_shown WHERE run_id = ?
                AND (outcome = 'approved' OR (outcome = 'reject' AND message LIKE '% — rejected by %'))
                """, arguments: [run]
        ).map { ($0[0], $0[1]) }
    }
}
