import GRDB

extension ControlTotals {
    /// The SQLite target's totals now, counted by SQL (the same rules as ``add(_:sign:)``).
    static func read(database: DatabaseQueue) throws -> ControlTotals {
        try database.read { db in
            var totals = ControlTotals()
            // One pass over the customers (four GROUP BY scans took four times as long at a million).
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT IFNULL(NULLIF(status, ''), 'active'), IFNULL(NULLIF(account_group, ''), '(none)'),
                    IFNULL(NULLIF(currency, ''), '(none)'),
                    CASE WHEN IFNULL(credit_limit, '') != '' THEN CAST(ROUND(CAST(credit_limit AS REAL) * 100) AS INTEGER) END,
                    IFNULL((SELECT country FROM address a WHERE a.customer_id = c.customer_id AND a.address_id = 'legal-1'),
                    IFNULL((SELECT country FROM address a WHERE a.customer_id = c.customer_id ORDER BY a.address_id LIMIT 1), '(none)'))
                    FROM customer c
                    """)
            while let row = try cursor.next() {
                totals.customers += 1
                totals.byStatus[row[0] as String, default: 0] += 1
                totals.byAccountGroup[row[1] as String, default: 0] += 1
                if let cents = row[3] as Int64? { totals.creditLimitCents[row[2] as String, default: 0] += cents }
                totals.byCountry[row[4] as String, default: 0] += 1
            }
            for table in TargetSchema.childTables {
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
                if count > 0 { totals.rows[table] = count }
            }
            return totals
        }
    }
}
