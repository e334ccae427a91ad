import Foundation
import GRDB

/// custmig's bookkeeping for a Tryton database, which has no place for it: a SQLite file in the
/// workspace (`targets/tryton-HOST-PORT-DB-companyN.sqlite`) holding the crosswalk, what was loaded
/// last, the undo entries, the committed batches — and, per party custmig wrote, the record of what
/// it wrote (``PartyRecord``) with the intent of a call whose outcome is not recorded yet.
final class TrytonJournal: Sendable {
    let queue: DatabaseQueue
    let path: String

    /// What custmig wrote to one party: the canonical image, the hash of the party as Tryton held it
    /// right after, which Tryton child record stands for which canonical row — and, between a call and
    /// its recorded outcome, the image the call sends (nil image with a call: a delete).
    struct PartyRecord {
        var code: String
        var trytonId: Int?
        var rawHash: String?
        var image: String?
        var rowIds: [String: String]
        var pendingCall: String?
        var pendingImage: String?
    }

    static let schema = [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS crosswalk (canonical_key TEXT PRIMARY KEY NOT NULL, customer_id TEXT NOT NULL UNIQUE,
        how TEXT NOT NULL, image_hash TEXT, source_hash TEXT, plan_hash TEXT, loaded_at TEXT)
        """,
        """
        CREATE TABLE IF NOT EXISTS loaded (canonical_key TEXT PRIMARY KEY NOT NULL, image TEXT NOT NULL,
        image_hash TEXT NOT NULL, source_hash TEXT, plan_hash TEXT, loaded_at TEXT)
        """,
        """
        CREATE TABLE IF NOT EXISTS undo (plan_hash TEXT NOT NULL, batch INTEGER NOT NULL, seq INTEGER NOT NULL,
        canonical_key TEXT NOT NULL, customer_id TEXT NOT NULL, before_image TEXT, after_hash TEXT NOT NULL,
        crosswalk_created INTEGER NOT NULL, loaded_before TEXT, loaded_before_hash TEXT, loaded_before_source TEXT,
        loaded_before_plan TEXT, loaded_before_at TEXT, PRIMARY KEY (plan_hash, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS checkpoint (plan_hash TEXT NOT NULL, batch INTEGER NOT NULL, actions INTEGER NOT NULL,
        committed_at TEXT NOT NULL, PRIMARY KEY (plan_hash, batch))
        """,
        """
        CREATE TABLE IF NOT EXISTS refusal (plan_hash TEXT NOT NULL, batch INTEGER NOT NULL, canonical_key TEXT NOT NULL,
        customer_id TEXT NOT NULL, message TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (plan_hash, canonical_key))
        """,
        """
        CREATE TABLE IF NOT EXISTS party (code TEXT PRIMARY KEY NOT NULL, tryton_id INTEGER, raw_hash TEXT, image TEXT,
        row_ids TEXT NOT NULL DEFAULT '{}', pending_call TEXT, pending_image TEXT, pending_plan TEXT,
        pending_batch INTEGER, pending_at TEXT)
        """,
    ]

    init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        try queue.write { db in
            for statement in Self.schema { try db.execute(sql: statement) }
            if try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'instance'") == nil {
                try db.execute(
                    sql: "INSERT INTO meta (key, value) VALUES ('instance', ?)",
                    arguments: [UUID().uuidString.lowercased()])
            }
        }
    }

    var instance: String {
        (try? queue.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'instance'") }) ?? ""
    }

    // MARK: Party records and intents

    func parties(codes: [String]) throws -> [String: PartyRecord] {
        try queue.read { db in
            var result: [String: PartyRecord] = [:]
            for part in codes.chunked(900) {
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db,
                    sql:
                        "SELECT code, tryton_id, raw_hash, image, row_ids, pending_call, pending_image FROM party WHERE code IN (\(marks))",
                    arguments: StatementArguments(Array(part)))
                {
                    let code: String = row["code"]
                    let rowIds = (row["row_ids"] as String?).flatMap { FlatJSON.parse($0) } ?? [:]
                    result[code] = PartyRecord(
                        code: code, trytonId: row["tryton_id"], rawHash: row["raw_hash"], image: row["image"],
                        rowIds: rowIds, pendingCall: row["pending_call"], pendingImage: row["pending_image"])
                }
            }
            return result
        }
    }

    /// Writes the intents of one call before it is sent: per party, the call and the image it sends.
    func markPending(_ intents: [(code: String, image: String?)], call: String, planHash: String?, batch: Int?) throws {
        let now = ISO8601DateFormatter().string(from: Date())
        try queue.write { db in
            for intent in intents {
                try db.execute(
                    sql: """
                        INSERT INTO party (code, pending_call, pending_image, pending_plan, pending_batch, pending_at)
                        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET pending_call = excluded.pending_call,
                        pending_image = excluded.pending_image, pending_plan = excluded.pending_plan,
                        pending_batch = excluded.pending_batch, pending_at = excluded.pending_at
                        """, arguments: [intent.code, call, intent.image, planHash, batch, now])
            }
        }
    }

    /// The outcome of a call: what Tryton holds now for each party written (nil party: deleted).
    func recordOutcome(
        _ outcomes: [(code: String, party: TrytonParty?, image: String?, rowIds: [String: String])]
    ) throws {
        try queue.write { db in try Self.recordOutcome(outcomes, db: db) }
    }

    static func recordOutcome(
        _ outcomes: [(code: String, party: TrytonParty?, image: String?, rowIds: [String: String])], db: Database
    ) throws {
        for outcome in outcomes {
            guard let party = outcome.party else {
                try db.execute(sql: "DELETE FROM party WHERE code = ?", arguments: [outcome.code])
                continue
            }
            var writer = JSONObjectWriter()
            for (key, value) in outcome.rowIds.sorted(by: { $0.key < $1.key }) { writer.string(JSONKey(key), value) }
            try db.execute(
                sql: """
                    INSERT INTO party (code, tryton_id, raw_hash, image, row_ids) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (code) DO UPDATE SET tryton_id = excluded.tryton_id, raw_hash = excluded.raw_hash,
                    image = excluded.image, row_ids = excluded.row_ids, pending_call = NULL, pending_image = NULL,
                    pending_plan = NULL, pending_batch = NULL, pending_at = NULL
                    """, arguments: [outcome.code, party.id, party.rawHash, outcome.image, writer.finished])
        }
    }

    /// Drops intents whose call was refused (nothing of it happened).
    func clearPending(codes: [String]) throws {
        try queue.write { db in
            for code in codes {
                try db.execute(sql: "DELETE FROM party WHERE code = ? AND image IS NULL", arguments: [code])
                try db.execute(
                    sql:
                        "UPDATE party SET pending_call = NULL, pending_image = NULL, pending_plan = NULL, pending_batch = NULL, pending_at = NULL WHERE code = ?",
                    arguments: [code])
            }
        }
    }

    /// Intents still open (calls whose outcome was never recorded), for `status`.
    func openIntents() throws -> Int {
        try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM party WHERE pending_call IS NOT NULL") ?? 0
        }
    }
}
