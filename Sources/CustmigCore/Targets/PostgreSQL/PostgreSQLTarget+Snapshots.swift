import Crypto
import Foundation

/// Snapshots inside the database: a schema per plan holding a copy of every table of the target's
/// schema, with a SHA-256 over every row (in a fixed order) and each table's row count; restored in
/// one transaction and verified against both.
extension PostgreSQLTarget {
    public func snapshot(planHash: String) throws -> TargetSnapshot? {
        try connection.execute(
            "SELECT path, sha256, manifest FROM custmig_snapshot WHERE plan_hash = $1", [planHash]
        ).first.map { TargetSnapshot(location: $0[0] ?? "", sha256: $0[1] ?? "", manifest: $0[2] ?? "") }
    }

    public func takeSnapshot(planHash: String, name: String, folder: String) throws -> TargetSnapshot {
        let snapshotSchema = Self.snapshotSchema(postgres.schema, planHash.prefix(12))
        do {
            return try connection.transaction {
                try connection.execute("DROP SCHEMA IF EXISTS \(PGConnection.quote(snapshotSchema)) CASCADE")
                try connection.execute("CREATE SCHEMA \(PGConnection.quote(snapshotSchema))")
                let tables = try self.tables()
                for table in tables {
                    try connection.execute(
                        "CREATE TABLE \(PGConnection.quote(snapshotSchema)).\(PGConnection.quote(table)) AS TABLE \(PGConnection.quote(postgres.schema)).\(PGConnection.quote(table))"
                    )
                }
                let (digest, counts) = try checksum(schema: snapshotSchema, tables: tables)
                let snapshot = TargetSnapshot(
                    location: "postgresql schema \(snapshotSchema)", sha256: digest,
                    manifest: String(decoding: try JSONEncoder().encode(counts), as: UTF8.self))
                try connection.execute(
                    "INSERT INTO custmig_snapshot (plan_hash, path, sha256, manifest, taken_at) VALUES ($1, $2, $3, $4, $5)",
                    [
                        planHash, snapshot.location, snapshot.sha256, snapshot.manifest,
                        ISO8601DateFormatter().string(from: Date()),
                    ])
                return snapshot
            }
        } catch let error as PGError {
            throw Self.failure(error, doing: "take a snapshot", location: postgres)
        }
    }

    public func restore(_ snapshot: TargetSnapshot, safetyName: String, folder: String) throws -> String {
        let prefix = "postgresql schema "
        guard snapshot.location.hasPrefix(prefix) else {
            throw CustmigError(
                .usage, code: "ROLLBACK-NO-SNAPSHOT",
                "the snapshot \(snapshot.location) is not one of a PostgreSQL target.",
                fix: "roll back with --mode surgical.")
        }
        let source = String(snapshot.location.dropFirst(prefix.count))
        let tables = try self.tables()
        let present = Set(
            try connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [source]
            ).compactMap { $0[0] })
        guard !present.isEmpty else {
            throw CustmigError(
                .unreadableInput, code: "ROLLBACK-SNAPSHOT-MISSING", "the snapshot schema \(source) is missing.",
                fix: "restore it from a backup of the database, or roll back with --mode surgical.")
        }
        let (digest, _) = try checksum(schema: source, tables: tables.filter(present.contains))
        guard digest == snapshot.sha256 else {
            throw CustmigError(
                .unreadableInput, code: "ROLLBACK-SNAPSHOT-CORRUPT",
                "the snapshot schema \(source) does not match its checksum (\(digest.prefix(12))… instead of \(snapshot.sha256.prefix(12))…); nothing was restored.",
                fix: "restore the snapshot schema from a backup, or roll back with --mode surgical.")
        }
        let safety = Self.safetySchema(postgres.schema, safetyName)
        let target = PGConnection.quote(postgres.schema)
        do {
            try connection.transaction {
                try connection.execute("DROP SCHEMA IF EXISTS \(PGConnection.quote(safety)) CASCADE")
                try connection.execute("CREATE SCHEMA \(PGConnection.quote(safety))")
                for table in tables {
                    try connection.execute(
                        "CREATE TABLE \(PGConnection.quote(safety)).\(PGConnection.quote(table)) AS TABLE \(target).\(PGConnection.quote(table))"
                    )
                }
                FaultPoint.reach("rollback.safety-copied")
                // Thrown inside the transaction, which then undoes the copy aside too.
                try Interruption.check(kept: RollbackStage.nothingRestored, resume: "")
                // Emptied together (foreign keys between them), filled parents first.
                try connection.execute(
                    "TRUNCATE \(tables.map { "\(target).\(PGConnection.quote($0))" }.joined(separator: ", "))")
                for table in Self.restoreOrder(tables) where present.contains(table) {
                    try connection.execute(
                        "INSERT INTO \(target).\(PGConnection.quote(table)) SELECT * FROM \(PGConnection.quote(source)).\(PGConnection.quote(table))"
                    )
                }
                let manifest =
                    (try? JSONDecoder().decode([String: Int].self, from: Data(snapshot.manifest.utf8))) ?? [:]
                let (after, counts) = try checksum(schema: postgres.schema, tables: tables.filter(present.contains))
                for (table, count) in manifest where counts[table] != count {
                    throw CustmigError(
                        .internalFailure, code: "ROLLBACK-VERIFY",
                        "after the restore \(table) has \(counts[table] ?? -1) rows, the snapshot's manifest says \(count); nothing was changed.",
                        fix: "report this with the snapshot schema \(source).")
                }
                guard after == snapshot.sha256 else {
                    throw CustmigError(
                        .internalFailure, code: "ROLLBACK-VERIFY",
                        "after the restore the target's checksum differs from the snapshot's; nothing was changed.",
                        fix: "report this with the snapshot schema \(source).")
                }
            }
        } catch let error as PGError {
            throw Self.failure(error, doing: "restore the snapshot", location: postgres)
        }
        return "postgresql schema \(safety)"
    }

    public func dropSnapshots(planHash: String, safetyPrefix: String) throws -> [String] {
        let names = try connection.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = $1 OR starts_with(nspname, $2) ORDER BY 1",
            [
                Self.snapshotSchema(postgres.schema, planHash.prefix(12)),
                Self.safetySchema(postgres.schema, safetyPrefix),
            ]
        ).compactMap { $0[0] }
        for name in names { try connection.execute("DROP SCHEMA IF EXISTS \(PGConnection.quote(name)) CASCADE") }
        return names.map { "postgresql schema \($0)" }
    }

    /// The schema a snapshot rollback's safety copy goes to: `SCHEMA_snap_` and its name in lower
    /// case with `_` for anything else (`before_rollback_plan_3_1796350134`).
    static func safetySchema(_ schema: String, _ name: String) -> String {
        snapshotSchema(
            schema,
            String(name.lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber ? $0 : "_" }))
    }

    /// `SCHEMA_snap_SUFFIX`, cut to PostgreSQL's 63 bytes.
    static func snapshotSchema(_ schema: String, _ suffix: some StringProtocol) -> String {
        let tail = "_snap_" + suffix
        return String(schema.prefix(63 - tail.utf8.count)) + tail
    }

    /// The target schema's tables, by name.
    func tables() throws -> [String] {
        try connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1",
            [postgres.schema]
        ).compactMap { $0[0] }
    }

    /// Code lists and bookkeeping, then customers, then child tables in their write order.
    static func restoreOrder(_ tables: [String]) -> [String] {
        let children = TargetSchema.childTables
        let rest = tables.filter { $0 != "customer" && !children.contains($0) }
        return rest + ["customer"] + children.filter(tables.contains)
    }

    /// SHA-256 over every table's name, row count and rows (as text, sorted), and the counts.
    private func checksum(schema: String, tables: [String]) throws -> (String, [String: Int]) {
        var hasher = SHA256()
        var counts: [String: Int] = [:]
        for table in tables {
            let qualified = "\(PGConnection.quote(schema)).\(PGConnection.quote(table))"
            let row = try connection.execute(
                "SELECT COUNT(*)::text, COALESCE(md5(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE \"C\")), '') FROM \(qualified) t"
            ).first
            let count = Int(row?[0] ?? "0") ?? 0
            counts[table] = count
            hasher.update(data: Data("\(table)|\(count)|\(row?[1] ?? "")\n".utf8))
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), counts)
    }
}
