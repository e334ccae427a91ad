import Foundation

/// The PostgreSQL target: custmig's business-partner schema in one schema of a PostgreSQL database (the
/// staging tables an ERP's import reads, as SAP's Migration Cockpit and D365's data management fill
/// them), with its code lists and custmig's bookkeeping in `custmig_` tables, reached through libpq.
public final class PostgreSQLTarget: Target {
    public let postgres: PostgreSQLLocation
    public let instance: String
    let connection: PGConnection
    public var location: TargetLocation { .postgresql(postgres) }
    public var capabilities: TargetCapabilities { [.transactionalBatches, .rehearsal, .snapshots, .rowFingerprints] }

    /// A connection whose `search_path` is the target's schema.
    static func connect(_ location: PostgreSQLLocation) throws -> PGConnection {
        let connection = try PGConnection(uri: location.connectionURI, shown: location.redacted)
        try connection.execute("SET search_path TO \(PGConnection.quote(location.schema))")
        return connection
    }

    /// Creates the schema (or fills an empty one) with `codes`; refuses a schema holding any table.
    @discardableResult
    public static func initialize(location: PostgreSQLLocation, codes: CodeLists) throws -> PostgreSQLTarget {
        let connection = try connect(location)
        let tables = try connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", [location.schema]
        ).compactMap { $0[0] }
        if tables.contains("custmig_meta") {
            throw CustmigError(
                .usage, code: "TARGET-EXISTS",
                "schema \(location.schema) of \(location.redacted) holds a custmig target already.",
                fix: "choose a new schema (?schema=NAME), or drop this one first if it is a sandbox you mean to reset.")
        }
        guard tables.isEmpty else {
            throw CustmigError(
                .usage, code: "TARGET-FOREIGN",
                "schema \(location.schema) of \(location.redacted) holds other tables (\(tables.prefix(5).joined(separator: ", "))\(tables.count > 5 ? ", …" : "")).",
                fix: "custmig does not write into foreign schemas: name an empty or new schema with ?schema=NAME.")
        }
        do {
            try connection.transaction {
                try connection.execute("CREATE SCHEMA IF NOT EXISTS \(PGConnection.quote(location.schema))")
                for statement in PostgreSQLSchema.statements { try connection.execute(statement) }
                try connection.execute("CREATE INDEX custmig_crosswalk_by_plan ON custmig_crosswalk(plan_hash)")
                for kind in TargetSchema.codeKinds {
                    let rows = (codes.entries[kind.name] ?? [:]).sorted { $0.key < $1.key }.map { code, entry in
                        [
                            code, entry.description.isEmpty ? nil : entry.description,
                            entry.detail.isEmpty ? nil : entry.detail,
                        ]
                    }
                    try connection.copy(into: kind.table, columns: ["code", "description", "detail"], rows: rows)
                }
                try connection.copy(
                    into: "custmig_meta", columns: ["key", "value"],
                    rows: [
                        ["schema", TargetSchema.name], ["schema_version", String(TargetSchema.version)],
                        ["instance", UUID().uuidString.lowercased()],
                        ["created_at", ISO8601DateFormatter().string(from: Date())],
                    ])
            }
        } catch let error as PGError {
            throw CustmigError(
                .unreadableInput, code: "TARGET-CREATE",
                "cannot create the target in schema \(location.schema) of \(location.redacted): \(error.message).",
                fix:
                    "check that the user may create a schema and tables in that database (GRANT CREATE), then run it again; nothing was created."
            )
        }
        return try PostgreSQLTarget(location: location)
    }

    /// Opens an initialized target; a schema without custmig's tables or of another version is refused.
    public init(location: PostgreSQLLocation) throws {
        postgres = location
        connection = try Self.connect(location)
        var meta: [String: String]
        do {
            guard try connection.value("SELECT to_regclass('custmig_meta')::text") != nil else {
                throw CustmigError(
                    .usage, code: "TARGET-FOREIGN",
                    "schema \(location.schema) of \(location.redacted) is not a custmig target (it has no custmig_meta table).",
                    fix: "create one with custmig target init '\(location.redacted)' --codes FILE, or check ?schema=.")
            }
            meta = Dictionary(
                try connection.execute("SELECT key, value FROM custmig_meta").map { ($0[0] ?? "", $0[1] ?? "") },
                uniquingKeysWith: { a, _ in a })
        } catch let error as PGError {
            throw Self.failure(error, doing: "read the target", location: location)
        }
        if meta["schema"] == TargetSchema.name, meta["schema_version"] == "2" {
            do {
                let connection = connection
                try connection.transaction {
                    for statement in PostgreSQLSchema.upgradeFrom2 { try connection.execute(statement) }
                }
                meta["schema_version"] = String(TargetSchema.version)
            } catch let error as PGError {
                throw CustmigError(
                    .unreadableInput, code: "TARGET-UPGRADE",
                    "cannot upgrade schema \(location.schema) of \(location.redacted) from target schema version 2 to \(TargetSchema.version): \(error.message).",
                    fix:
                        "check that the user may alter the target's tables (it owns them when it created them); nothing was changed."
                )
            }
        }
        guard meta["schema"] == TargetSchema.name, meta["schema_version"] == String(TargetSchema.version) else {
            throw CustmigError(
                .usage, code: "TARGET-VERSION",
                "schema \(location.schema) has target schema \(meta["schema"] ?? "?") version \(meta["schema_version"] ?? "?"); this custmig knows version \(TargetSchema.version).",
                fix: "use the custmig version that created it, or initialize a new schema.")
        }
        instance = meta["instance"] ?? ""
    }

    public var sizeInBytes: Int64 {
        let size: String?? = try? connection.value(
            """
            SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::text FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'
            """, [postgres.schema])
        return (size ?? nil).flatMap { Int64($0) } ?? 0
    }

    public func close() throws {}

    /// A database failure said in the user's terms: a lost connection is worth a rerun.
    static func failure(_ error: PGError, doing what: String, location: PostgreSQLLocation) -> CustmigError {
        if error.isConnectionLoss {
            return CustmigError(
                .unreadableInput, code: "TARGET-CONNECTION",
                "the connection to \(location.redacted) was lost while trying to \(what): \(error.message).",
                fix:
                    "check that the server runs, then run the same command again: what was not committed was rolled back."
            )
        }
        return CustmigError(
            .unreadableInput, code: "TARGET-DB",
            "PostgreSQL refused to \(what) in \(location.redacted): \(error.message) [SQLSTATE \(error.sqlState)].",
            fix: "check the user's rights on schema \(location.schema); run the same command again once fixed.")
    }
}
