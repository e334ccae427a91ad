import Foundation

/// custmig's bookkeeping in the PostgreSQL target (`custmig_` tables), and the lock that keeps a
/// second cutover out while one runs.
extension PostgreSQLTarget {
    static func layoutKey(_ planHash: String) -> String { "cutover_batches/" + planHash }

    public func committedBatches(planHash: String) throws -> Set<Int> {
        Set(
            try connection.execute("SELECT batch::text FROM custmig_checkpoint WHERE plan_hash = $1", [planHash])
                .compactMap { $0[0].flatMap { Int($0) } })
    }

    public func batchLayout(planHash: String) throws -> String? {
        try connection.value("SELECT value FROM custmig_meta WHERE key = $1", [Self.layoutKey(planHash)])
    }

    public func recordBatchLayout(planHash: String, layout: String) throws {
        try connection.execute(
            "INSERT INTO custmig_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [Self.layoutKey(planHash), layout])
    }

    public func crosswalkCount(planHash: String) throws -> Int {
        Int(
            try connection.value("SELECT COUNT(*)::text FROM custmig_crosswalk WHERE plan_hash = $1", [planHash]) ?? "0"
        )
            ?? 0
    }

    public func forEachCrosswalkEntry(_ body: (String, String, String) throws -> Void) throws {
        // Byte order, as the ledger's keys are sorted (collation "C").
        try connection.forEachRow(
            "SELECT canonical_key, customer_id, how FROM custmig_crosswalk ORDER BY canonical_key COLLATE \"C\""
        ) { try body($0[0] ?? "", $0[1] ?? "", $0[2] ?? "") }
    }

    public func crosswalkEntry(_ reference: String) throws -> TargetCrosswalkEntry? {
        let select = "SELECT canonical_key, customer_id, how FROM custmig_crosswalk WHERE "
        guard
            let row = try connection.execute(select + "canonical_key = $1", [reference]).first
                ?? connection.execute(select + "customer_id = $1", [reference]).first
        else { return nil }
        let loaded = try connection.execute(
            "SELECT image, image_hash, plan_hash, loaded_at FROM custmig_loaded WHERE canonical_key = $1", [row[0]]
        ).first
        return TargetCrosswalkEntry(
            canonicalKey: row[0] ?? "", customerId: row[1] ?? "", how: row[2] ?? "", loadedImage: loaded?[0] ?? nil,
            loadedHash: loaded?[1] ?? nil, planHash: loaded?[2] ?? nil, loadedAt: loaded?[3] ?? nil)
    }

    public func forgetUndo(planHashes: [String]) throws -> Int {
        try connection.transaction {
            try planHashes.reduce(0) { count, hash in
                count
                    + (try connection.execute(
                        "WITH gone AS (DELETE FROM custmig_undo WHERE plan_hash = $1 RETURNING 1) SELECT COUNT(*)::text FROM gone",
                        [hash]
                    ).first?.first?.flatMap { Int($0) } ?? 0)
            }
        }
    }

    /// Cutovers and rollbacks hold ``lockForWriting(holder:)`` for their whole run instead.
    public func loadSession() throws -> any TargetLoadSession { QuietLoadSession() }

    /// The target's write lock: a session advisory lock on the schema, so it holds for every machine that
    /// reaches the server, released when the cutover or rollback ends or its connection drops. The holder
    /// is named by its session's application name (pid and host), address and start: nothing is written
    /// to the target's tables, whose contents snapshots and drills compare.
    public func lockForWriting(holder: String) throws -> TargetWriteLock {
        let key = "custmig.cutover." + postgres.schema
        // `custmig cutover pid 4711 on host`: the stage's name is taken from the holder's command.
        let stage = holder.components(separatedBy: "`custmig ").dropFirst().first?.split(separator: " ").first
        let name = "custmig \(stage.map { "\($0) " } ?? "")pid \(getpid()) on \(WorkspaceLock.hostName)"
        try connection.execute("SELECT set_config('application_name', $1, false)", [String(name.prefix(63))])
        guard try connection.value("SELECT pg_try_advisory_lock(hashtext($1))::text", [key]) == "true" else {
            let session = try? connection.execute(
                """
                SELECT a.application_name, a.client_addr::text, a.backend_start::text FROM pg_locks l
                JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (hashtext($1)::bigint & 4294967295)::oid
                AND a.pid <> pg_backend_pid() LIMIT 1
                """, [key]
            ).first
            let who =
                session.map { "\($0[0] ?? "?") from \($0[1] ?? "a local socket") since \($0[2] ?? "?")" }
                ?? "another session"
            throw TargetWriteLock.refused("schema \(postgres.schema) of \(postgres.redacted)", holder: who)
        }
        return TargetWriteLock { [connection] in
            _ = try? connection.execute("SELECT pg_advisory_unlock(hashtext($1))", [key])
        }
    }
}
