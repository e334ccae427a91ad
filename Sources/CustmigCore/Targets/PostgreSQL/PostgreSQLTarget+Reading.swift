import Foundation
import Synchronization

/// Reading the PostgreSQL target: code lists, customers' rows, bookkeeping and control totals.
extension PostgreSQLTarget {
    public func codeLists() throws -> CodeLists {
        var lists = CodeLists()
        for kind in TargetSchema.codeKinds {
            for row in try connection.execute("SELECT code, description, detail FROM \(kind.table)") {
                lists.entries[kind.name, default: [:]][row[0] ?? ""] = CodeLists.Entry(
                    description: row[1] ?? "", detail: row[2] ?? "")
            }
        }
        return lists
    }

    public func loadedCrosswalk() throws -> LoadedCrosswalk {
        var crosswalk = LoadedCrosswalk()
        try connection.forEachRow("SELECT canonical_key, customer_id, image_hash, source_hash FROM custmig_crosswalk") {
            crosswalk.add(key: $0[0] ?? "", id: $0[1] ?? "", image: Hash128(hex: $0[2]), source: Hash128(hex: $0[3]))
        }
        return crosswalk
    }

    public func customerIds() throws -> [String] {
        try connection.execute("SELECT customer_id FROM customer ORDER BY customer_id COLLATE \"C\"").compactMap {
            $0[0]
        }
    }

    public func images(ids: [String]) throws -> [String: Result<CustomerImage, UnreadableTargetRow>] {
        try rows(ids: ids).mapValues { $0.map(CustomerImage.init(rows:)) }
    }

    /// Fingerprints of committed rows, on the target's connection (``fingerprintReader()`` reads many
    /// on two at once).
    public func fingerprints(ids: [String]) throws -> [String: String] {
        try Self.fingerprints(ids[...], connection)
    }

    /// Two connections of its own, opened on the first call.
    public func fingerprintReader() throws -> @Sendable ([String]) async throws -> [String: String] {
        let postgres = postgres
        let connections = Mutex<[PGConnection]>([])
        return { ids in
            let opened = try connections.withLock { opened in
                if opened.isEmpty { opened = [try Self.connect(postgres), try Self.connect(postgres)] }
                return opened
            }
            return try await Self.fingerprints(ids: ids, connections: opened)
        }
    }

    /// Many ids are read in two halves at once, on two connections.
    private static func fingerprints(ids: [String], connections: [PGConnection]) async throws -> [String: String] {
        guard ids.count >= 1_000, connections.count > 1 else { return try fingerprints(ids[...], connections[0]) }
        let halves = [ids[..<(ids.count / 2)], ids[(ids.count / 2)...]]
        let results = await ParallelWork.map(0..<2, parallelFrom: 2) { index in
            Result { try fingerprints(halves[index], connections[index]) }
        }
        return try results[0].get().merging(try results[1].get()) { a, _ in a }
    }

    /// The fingerprints of the rows of `ids` that read whole, on one connection.
    private static func fingerprints(
        _ ids: ArraySlice<String>, _ connection: PGConnection
    ) throws -> [String: String] {
        var result: [String: String] = [:]
        for (id, rows) in try Self.rows(ids: Array(ids), connection: connection) {
            if case .success(let rows) = rows { result[id] = rows.fingerprint }
        }
        return result
    }

    public func existing(ids: [String]) throws -> Set<String> {
        var found = Set<String>()
        for part in ids.chunked(5_000) {
            for row in try connection.execute(
                "SELECT customer_id FROM customer WHERE customer_id = ANY($1::text[])", [PGConnection.array(part)])
            {
                if let id = row[0] { found.insert(id) }
            }
        }
        return found
    }

    public func loaded(keys: [String], images: Bool) throws -> [String: LoadedCustomer] {
        var result: [String: LoadedCustomer] = [:]
        for part in keys.chunked(5_000) {
            for row in try connection.execute(
                "SELECT canonical_key, \(images ? "image" : "''"), image_hash, source_hash FROM custmig_loaded WHERE canonical_key = ANY($1::text[])",
                [PGConnection.array(part)])
            {
                result[row[0] ?? ""] = LoadedCustomer(image: row[1] ?? "", imageHash: row[2] ?? "", sourceHash: row[3])
            }
        }
        return result
    }

    /// The rows of the given customers as they are now, in canonical terms (absent ids are missing).
    func rows(ids: [String]) throws -> [String: Result<CustomerRows, UnreadableTargetRow>] {
        try Self.rows(ids: ids, connection: connection)
    }

    static func rows(
        ids: [String], connection: PGConnection
    ) throws -> [String: Result<CustomerRows, UnreadableTargetRow>] {
        var found: [String: CustomerRows] = [:]
        for part in ids.chunked(2_000) {
            let parameter = [PGConnection.array(part) as String?]
            for row in try connection.execute(
                "SELECT customer_id, \(CustomerImage.customerColumns.joined(separator: ", ")) FROM customer WHERE customer_id = ANY($1::text[])",
                parameter)
            {
                var rows = CustomerRows()
                for (index, column) in CustomerImage.customerColumns.enumerated() {
                    if let value = row[index + 1], !value.isEmpty { rows.customer[column] = value }
                }
                found[row[0] ?? ""] = rows
            }
            for table in TargetSchema.childTables {
                let columns = CustomerImage.childColumns[table]!
                let identity = CustomerImage.rowIdentity[table]!
                for row in try connection.execute(
                    "SELECT customer_id, \(columns.joined(separator: ", ")) FROM \(table) WHERE customer_id = ANY($1::text[])",
                    parameter)
                {
                    var values: [String: String] = [:]
                    for (index, column) in columns.enumerated() {
                        if let value = row[index + 1], !value.isEmpty { values[column] = value }
                    }
                    let rowId = CustomerImage.safe(identity.map { values[$0] ?? "" }.joined(separator: "/"))
                    found[row[0] ?? "", default: CustomerRows()].children[table, default: [:]][rowId, default: [:]]
                        .merge(values) { _, new in new }
                }
            }
        }
        return found.mapValues { .success($0) }
    }

    public func controlTotalsReader() throws -> @Sendable () throws -> ControlTotals {
        let location = postgres
        return { try Self.controlTotals(connection: try Self.connect(location)) }
    }

    /// The totals by grouping sets in the server (the same rules as ``ControlTotals/add(_:sign:)``).
    static func controlTotals(connection: PGConnection) throws -> ControlTotals {
        var totals = ControlTotals()
        let rows = try connection.execute(
            """
            WITH c AS (
              SELECT COALESCE(NULLIF(status, ''), 'active') AS status,
              COALESCE(NULLIF(account_group, ''), '(none)') AS account_group,
              COALESCE(NULLIF(currency, ''), '(none)') AS currency,
              CASE WHEN credit_limit ~ '^[0-9]*[.]?[0-9]*$' AND credit_limit ~ '[0-9]'
                THEN ROUND(credit_limit::numeric * 100)::bigint END AS cents,
              COALESCE((SELECT country FROM address a WHERE a.customer_id = c.customer_id AND a.address_id = 'legal-1'),
                (SELECT country FROM address a WHERE a.customer_id = c.customer_id ORDER BY a.address_id COLLATE "C" LIMIT 1),
                '(none)') AS country
              FROM customer c)
            SELECT GROUPING(status), GROUPING(account_group), GROUPING(currency), GROUPING(country),
              status, account_group, currency, country, COUNT(*)::text, SUM(cents)::text
            FROM c GROUP BY GROUPING SETS ((status), (account_group), (currency), (country), ())
            """)
        for row in rows {
            let count = Int(row[8] ?? "0") ?? 0
            switch (row[0], row[1], row[2], row[3]) {
            case ("0", _, _, _): totals.byStatus[row[4] ?? ""] = count
            case (_, "0", _, _): totals.byAccountGroup[row[5] ?? ""] = count
            case (_, _, "0", _):
                if let cents = row[9].flatMap({ Int64($0) }) { totals.creditLimitCents[row[6] ?? ""] = cents }
            case (_, _, _, "0"): totals.byCountry[row[7] ?? ""] = count
            default: totals.customers = count
            }
        }
        for table in TargetSchema.childTables {
            let count = Int(try connection.value("SELECT COUNT(*)::text FROM \(table)") ?? "0") ?? 0
            if count > 0 { totals.rows[table] = count }
        }
        return totals
    }
}
