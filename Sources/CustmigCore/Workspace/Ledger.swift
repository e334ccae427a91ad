import Foundation
import GRDB

/// The workspace's SQLite ledger: runs, their inputs and checkpoints, mapping versions, canonical
/// records, findings and malformed records.
///
/// Every write that covers data commits in one transaction with `synchronous=FULL` (WAL), so a
/// checkpoint is never durable before the data it covers. The ledger's own schema is versioned with
/// GRDB's `DatabaseMigrator`.
public final class Ledger: Sendable {
    /// One writer and a pool of readers (WAL): a stage's reads of committed rows do not wait for its own
    /// long writes (the dry run reads records while its plan is written; the cutover reads ahead).
    public let database: DatabasePool
    let path: String
    /// The workspace folder the ledger lives in.
    public var folder: String { (path as NSString).deletingLastPathComponent }

    /// The page size of new ledgers. A map appends hundreds of bytes per record through the log and
    /// back into the ledger: with SQLite's default 4 KB pages a 1M-record map made ~1.1M page writes, and
    /// 16 KB pages made it ~7% faster (median of six alternating runs, less CPU in SQLite and the kernel).
    static let pageSize = 16_384

    /// Where reads that run beside a long write go: the pool's readers, which see what is committed.
    func reader() throws -> DatabasePool { database }

    /// Copies the write-ahead log into the ledger and empties it, after a stage that wrote much: the log
    /// keeps the size it grew to (~25 bytes a record after a 1M map) until a checkpoint truncates it.
    /// Best effort: a reader still open elsewhere only leaves the log as it is.
    func truncateLog() {
        _ = try? database.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    /// This workspace's id, made when its ledger was: part of every plan's hash (see `v11-workspace-id`).
    public func workspaceId() throws -> String {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM workspace_meta WHERE key = 'workspace_id'")
        } ?? ""
    }

    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        // The pool puts the ledger in WAL mode itself.
        configuration.prepareDatabase { db in
            // Before the pool puts a new ledger in WAL mode, which fixes its page size; an existing
            // ledger keeps the size it was made with (SQLite ignores this for it).
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA page_size = \(Ledger.pageSize)") }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // The writer's cache is the one that matters; each reader keeps SQLite's default (2 MB), as
            // the one reader before the pool did (16 MB each put 30 MB on a dry run's peak).
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -16384") }
        }
        configuration.busyMode = .timeout(10)
        // Reads beside a stage's writes are a read-ahead thread or two, not a crowd.
        configuration.maximumReaderCount = 3
        do {
            PrivateFile.prepare(path)
            database = try DatabasePool(path: path, configuration: configuration)
            try Ledger.migrator.migrate(database)
        } catch let error as DatabaseError {
            throw CustmigError(
                .unreadableInput, code: "WS-LEDGER", "cannot open the ledger \(path): \(error.message ?? "\(error)").",
                fix: "check that the workspace is a custmig workspace and the disk is not full.")
        }
    }

    /// The schema versions an existing ledger has not had yet; empty when there is no ledger or it
    /// cannot be read (opening it then reports the problem).
    static func pendingMigrations(path: String) -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration),
            let applied = try? queue.read({ try migrator.appliedIdentifiers($0) })
        else { return [] }
        return migrator.migrations.filter { !applied.contains($0) }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "mapping_version") { table in
                table.column("name", .text).notNull()
                table.column("version", .integer).notNull()
                table.column("checksum", .text).notNull()
                table.column("content", .text).notNull()
                table.column("first_used_at", .datetime).notNull()
                table.primaryKey(["name", "version"])
            }
            try db.create(table: "run") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("stage", .text).notNull()
                table.column("status", .text).notNull()
                table.column("inputs_key", .text).notNull()
                table.column("mapping_name", .text)
                table.column("mapping_version", .integer)
                table.column("mapping_checksum", .text)
                table.column("scope", .text)
                table.column("custmig_version", .text).notNull()
                table.column("command", .text).notNull()
                table.column("started_at", .datetime).notNull()
                table.column("finished_at", .datetime)
                table.column("summary", .text)
            }
            try db.create(table: "run_input") { table in
                table.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                table.column("position", .integer).notNull()
                table.column("path", .text).notNull()
                table.column("sha256", .text).notNull()
                table.column("size", .integer).notNull()
                /// `primary`, or the name of the joined source file the input is (its rows are staged).
                table.column("role", .text).notNull().defaults(to: "primary")
                table.primaryKey(["run_id", "position"])
            }
            try db.create(table: "checkpoint") { table in
                table.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                table.column("input", .integer).notNull()
                table.column("byte_offset", .integer)
                table.column("line", .integer).notNull()
                table.column("record_index", .integer).notNull()
                table.column("records", .integer).notNull()
                table.column("done", .boolean).notNull()
                table.column("counts", .text).notNull()
                table.column("updated_at", .datetime).notNull()
                table.primaryKey(["run_id", "input"])
            }
            try db.create(table: "canonical_record") { table in
                table.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                table.column("legacy_key", .text).notNull()
                table.column("key", .text).notNull()
                table.column("status", .text).notNull()
                table.column("sequence", .text)
                table.column("data", .text).notNull()
                /// Legacy keys this customer refers to (parent, partner functions), space-separated.
                table.column("refs", .text).notNull().defaults(to: "")
                table.column("source_input", .integer).notNull()
                table.column("source_line", .integer).notNull()
                table.column("source_offset", .integer)
                table.column("source_index", .integer).notNull()
                table.primaryKey(["run_id", "legacy_key"])
            }
            try db.create(table: "finding") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                table.column("legacy_key", .text)
                table.column("outcome", .text).notNull()
                table.column("rule", .text).notNull()
                table.column("field", .text)
                table.column("value", .text)
                table.column("message", .text).notNull()
                table.column("fix", .text)
                table.column("source_input", .integer).notNull()
                table.column("source_line", .integer).notNull()
                table.column("source_index", .integer).notNull()
            }
            try db.create(index: "finding_by_key", on: "finding", columns: ["run_id", "legacy_key"])
            try db.create(table: "malformed") { table in
                table.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                table.column("source_input", .integer).notNull()
                table.column("line", .integer)
                table.column("record_index", .integer)
                table.column("code", .text).notNull()
                table.column("message", .text).notNull()
            }
            try db.create(table: "staged_row") { table in
                table.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                table.column("source", .text).notNull()
                table.column("key", .text).notNull()
                table.column("input", .integer).notNull()
                table.column("record_index", .integer).notNull()
                table.column("data", .text).notNull()
                table.column("claimed", .boolean).notNull().defaults(to: false)
            }
            try db.create(index: "staged_row_by_key", on: "staged_row", columns: ["run_id", "source", "key"])
            try db.create(table: "unique_value") { table in
                table.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                table.column("rule", .text).notNull()
                table.column("value", .text).notNull()
                table.primaryKey(["run_id", "rule", "value"])
            }
        }
        migrator.registerMigration("v2-duplicates") { db in
            try db.create(table: "key_map") { table in
                table.column("legacy_key", .text).primaryKey()
                table.column("golden_key", .text).notNull()
                table.column("run_id", .integer).notNull()
            }
            try db.create(table: "duplicate_pair") { table in
                table.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                table.column("first", .text).notNull()
                table.column("second", .text).notNull()
                table.column("score", .double).notNull()
                table.column("outcome", .text).notNull()
                table.column("evidence", .text).notNull()
            }
            try db.create(table: "survivor") { table in
                table.column("run_id", .integer).notNull().references("run", onDelete: .cascade)
                table.column("golden_key", .text).notNull()
                table.column("members", .text).notNull()
                table.column("data", .text).notNull()
                table.primaryKey(["run_id", "golden_key"])
            }
        }
        migrator.registerMigration("v3-plans") { db in
            try db.alter(table: "run") { table in table.add(column: "mapping_file", .text) }
            try db.create(index: "canonical_record_by_legacy_key", on: "canonical_record", columns: ["legacy_key"])
            try db.create(table: "plan") { table in
                table.autoIncrementedPrimaryKey("id")
                /// `building` (a dry run in progress or killed), `current`, or `superseded`.
                table.column("status", .text).notNull()
                table.column("target", .text).notNull()
                table.column("target_instance", .text).notNull()
                table.column("map_run", .integer).notNull()
                table.column("duplicates_run", .integer)
                table.column("content_hash", .text)
                table.column("batch_size", .integer).notNull()
                table.column("superseded_by", .integer)
                table.column("summary", .text)
                table.column("command", .text).notNull()
                table.column("created_at", .datetime).notNull()
            }
            try db.create(table: "plan_action") { table in
                table.column("plan_id", .integer).notNull().references("plan", onDelete: .cascade)
                table.column("seq", .integer).notNull()
                /// The batch the cutover applies it in; NULL for what it does not apply.
                table.column("batch", .integer)
                table.column("canonical_key", .text).notNull()
                table.column("legacy_key", .text)
                table.column("customer_id", .text)
                table.column("action", .text).notNull()
                /// The target operation: upsert, upsert_rows, references, deactivate.
                table.column("apply_kind", .text)
                table.column("reason", .text)
                /// Fingerprint of the target row as the plan read it; NULL with expect_absent for an insert.
                table.column("fingerprint", .text)
                table.column("expect_absent", .boolean).notNull().defaults(to: false)
                table.column("before_image", .text)
                table.column("image", .text)
                table.column("changes", .text)
                table.column("source_hash", .text)
                table.column("name", .text)
                table.column("country", .text)
                table.primaryKey(["plan_id", "seq"])
            }
            try db.create(index: "plan_action_by_key", on: "plan_action", columns: ["plan_id", "canonical_key"])
            try db.create(index: "plan_action_by_action", on: "plan_action", columns: ["plan_id", "action"])
            try db.create(index: "plan_action_by_batch", on: "plan_action", columns: ["plan_id", "batch"])
            /// The ledger's mirror of a cutover's progress (the target's checkpoints are authoritative).
            try db.create(table: "cutover_progress") { table in
                table.column("plan_id", .integer).primaryKey()
                table.column("target", .text).notNull()
                table.column("batches", .integer).notNull()
                table.column("committed", .integer).notNull()
                table.column("outcome", .text).notNull()
                table.column("updated_at", .datetime).notNull()
            }
            try db.create(table: "purge") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("run_id", .integer).notNull()
                table.column("purged_at", .datetime).notNull()
                table.column("removed", .text).notNull()
                table.column("command", .text).notNull()
            }
            try db.create(table: "snapshot") { table in
                table.column("plan_hash", .text).primaryKey()
                table.column("target_instance", .text).notNull()
                table.column("path", .text).notNull()
                table.column("sha256", .text).notNull()
                table.column("manifest", .text).notNull()
                table.column("taken_at", .datetime).notNull()
            }
            try db.create(table: "plan_approval") { table in
                table.column("plan_id", .integer).notNull().references("plan", onDelete: .cascade)
                table.column("content_hash", .text).notNull()
                table.column("approved_by", .text).notNull()
                table.column("note", .text)
                table.column("approved_at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v4-record-hash") { db in
            /// SHA-256 (first 128 bits, hex) of `data`, taken when it is mapped: the dry run settles an
            /// unchanged customer from it without reading the record. NULL for records mapped before.
            try db.alter(table: "canonical_record") { table in table.add(column: "data_hash", .text) }
        }
        migrator.registerMigration("v5-malformed-severity") { db in
            /// `error` or `warning`: a finding about a file as a whole (no record index) may be either;
            /// an error there means reading stopped early and the run fails its quality gate.
            try db.alter(table: "malformed") { table in
                table.add(column: "severity", .text).notNull().defaults(to: "error")
            }
        }
        migrator.registerMigration("v6-plan-image-fingerprint") { db in
            /// The row fingerprint of `image`, taken when the plan is written: the reconciliation compares
            /// the target's rows with it instead of hashing every image again. NULL in older plans.
            try db.alter(table: "plan_action") { table in table.add(column: "image_fingerprint", .text) }
        }
        migrator.registerMigration("v7-referring-records") { db in
            /// The customers that refer to others (one in twenty, typically), with all the reference
            /// check reads: it no longer scans every record, JSON and all (1.2 s of a 1M-record map).
            try db.execute(
                sql: """
                    CREATE INDEX canonical_record_referring ON canonical_record
                    (run_id, status, legacy_key, refs, source_input, source_line, source_index) WHERE refs <> ''
                    """)
        }
        migrator.registerMigration("v8-record-status") { db in
            /// A run's customers counted by status (the map's summary, `status`) without reading every
            /// record: the count scanned the whole table (0.65 s of the end of a 1M-record map).
            try db.create(index: "canonical_record_by_status", on: "canonical_record", columns: ["run_id", "status"])
        }
        migrator.registerMigration("v9-cutover-refusal") { db in
            /// Customers a target without transactions refused at the cutover while the rest of their batch
            /// landed: rejects the reconciliation expects absent (or as the plan read them).
            try db.create(table: "cutover_refusal") { table in
                table.column("plan_id", .integer).notNull().references("plan", onDelete: .cascade)
                table.column("canonical_key", .text).notNull()
                table.column("customer_id", .text).notNull()
                table.column("batch", .integer).notNull()
                table.column("message", .text).notNull()
                table.column("refused_at", .datetime).notNull()
                table.primaryKey(["plan_id", "canonical_key"])
            }
        }
        migrator.registerMigration("v10-plan-version") { db in
            /// The custmig that built a plan: a plan a business owner signed names the program that made it
            /// (plans built before this version have none).
            try db.alter(table: "plan") { table in table.add(column: "custmig_version", .text) }
        }
        migrator.registerMigration("v11-workspace-id") { db in
            /// Which workspace a plan belongs to is part of its hash: two workspaces planning the same records
            /// against one target made the same hash, and shared the target's checkpoints and undo entries.
            try db.execute(sql: "CREATE TABLE workspace_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)")
            try db.execute(
                sql: "INSERT INTO workspace_meta (key, value) VALUES ('workspace_id', ?)",
                arguments: [UUID().uuidString.lowercased()])
        }
        migrator.registerMigration("v12-plan-by-reference") { db in
            /// A planned insert refers to the canonical record it is made from instead of copying its image
            /// (~1.2 KB a customer): `record_ref` is `map:HASH` (the plan's map run, by legacy key) or
            /// `golden:HASH` (its duplicates run's survivor, by canonical key) with the record's hash at
            /// planning, `record_refs` the target ids its references resolved to (a flat JSON object, NULL
            /// for none), `field_count`/`field_bytes` size the field-level export without rebuilding it.
            /// The image's fingerprint (`image_fingerprint`) binds the rebuilt image to the approved plan.
            try db.alter(table: "plan_action") { table in
                table.add(column: "record_ref", .text)
                table.add(column: "record_refs", .text)
                table.add(column: "field_count", .integer)
                table.add(column: "field_bytes", .integer)
            }
        }
        migrator.registerMigration("v13-compact-records") { db in
            /// Records are stored compact (``CompactRecord``; records stored before stay JSON and still
            /// read), and the legacy key once in the table and once in its primary key: a lookup by legacy
            /// key alone goes through the primary key run by run (``CanonicalStore/mapRuns``), so the
            /// third copy, an index on it, is dropped (17 bytes a record).
            try db.execute(sql: "DROP INDEX IF EXISTS canonical_record_by_legacy_key")
        }
        migrator.registerMigration("v14-finding-texts") { db in
            /// A finding's message (its quoted value taken out) and fix, sentences thousands of findings
            /// share, stored once and referred to by id (``FindingStore``); `finding_shown` puts the
            /// sentence back together. `message` is '' when `message_id` holds it.
            try db.execute(sql: "CREATE TABLE finding_text (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
            try db.alter(table: "finding") { table in
                table.add(column: "message_id", .integer)
                table.add(column: "fix_id", .integer)
            }
            try db.execute(
                sql: """
                    CREATE VIEW finding_shown AS SELECT f.id, f.run_id, f.legacy_key, f.outcome, f.rule, f.field,
                    f.value, CASE WHEN f.message_id IS NULL THEN f.message
                    ELSE replace(m.text, char(1), coalesce(f.value, '')) END AS message,
                    CASE WHEN f.fix_id IS NULL THEN f.fix ELSE x.text END AS fix,
                    f.source_input, f.source_line, f.source_index
                    FROM finding f LEFT JOIN finding_text m ON m.id = f.message_id
                    LEFT JOIN finding_text x ON x.id = f.fix_id
                    """)
        }
        migrator.registerMigration("v15-findings-by-rule") { db in
            /// The reject report lists a run's findings by rule, then place in the extract: in this
            /// index's order, read without sorting them (the sort was half of the report, ~0.25 s of
            /// single-threaded tail after a 1M-record map, for ~8 bytes a record). Removing a rule's
            /// findings (the reference check does, every run) finds them here too.
            try db.execute(
                sql: "CREATE INDEX IF NOT EXISTS finding_by_rule ON finding(run_id, rule, source_input, source_index)")
        }
        return migrator
    }
}
