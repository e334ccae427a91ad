import Foundation
import GRDB

/// Reading the target: code lists, bookkeeping, ids and customer images.
extension SQLiteTarget {
    public func codeLists() throws -> CodeLists {
        try database.read { db in
            var lists = CodeLists()
            for kind in TargetSchema.codeKinds {
                for row in try Row.fetchAll(db, sql: "SELECT code, description, detail FROM \(kind.table)") {
                    lists.entries[kind.name, default: [:]][row["code"]] = CodeLists.Entry(
                        description: row["description"] ?? "", detail: row["detail"] ?? "")
                }
            }
            return lists
        }
    }

    /// The fingerprint and source hash of what custmig loaded last, by canonical key, from the
    /// narrow crosswalk table (one sequential scan): the dry run's fast path compares against them.
    public func loadedHashes() throws -> [String: LoadedHashes] {
        try database.read { db in
            var result: [String: LoadedHashes] = [:]
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT canonical_key, image_hash, source_hash FROM custmig_crosswalk")
            while let row = try cursor.next() {
                guard let image = Hash128(hex: row[1]) else { continue }
                result[row[0]] = LoadedHashes(image: image, source: Hash128(hex: row[2]))
            }
            return result
        }
    }

    public func crosswalk() throws -> [String: String] {
        try database.read { db in
            var result: [String: String] = [:]
            let cursor = try Row.fetchCursor(db, sql: "SELECT canonical_key, customer_id FROM custmig_crosswalk")
            while let row = try cursor.next() { result[row[0]] = row[1] }
            return result
        }
    }

    /// Every customer id in the target.
    public func customerIds() throws -> [String] {
        try database.read { db in try String.fetchAll(db, sql: "SELECT customer_id FROM customer ORDER BY customer_id")
        }
    }

    /// The images of the given customers as they are now; absent ids are missing from the result.
    public func images(ids: [String]) throws -> [String: Result<CustomerImage, UnreadableTargetRow>] {
        try database.read { db in try Self.images(ids: ids, db: db) }
    }

    /// What custmig loaded last time, by canonical key (image JSON).
    public func loaded(keys: [String], images: Bool) throws -> [String: LoadedCustomer] {
        try database.read { db in
            var result: [String: LoadedCustomer] = [:]
            for chunk in keys.chunked(500) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db,
                    sql:
                        "SELECT canonical_key, \(images ? "image" : "''"), image_hash, source_hash FROM custmig_loaded WHERE canonical_key IN (\(marks))",
                    arguments: StatementArguments(chunk))
                {
                    result[row[0]] = LoadedCustomer(image: row[1], imageHash: row[2], sourceHash: row[3])
                }
            }
            return result
        }
    }

    static func images(ids: [String], db: Database) throws -> [String: Result<CustomerImage, UnreadableTargetRow>] {
        try rows(ids: ids, db: db).mapValues { $0.map(CustomerImage.init(rows:)) }
    }

    /// The rows of the given customers as they are now (a customer with a column that cannot be read
    /// as text is a failure naming it); absent ids are missing from the result.
    static func rows(ids: [String], db: Database) throws -> [String: Result<CustomerRows, UnreadableTargetRow>] {
        var found: [String: CustomerRows] = [:]
        var failures: [String: UnreadableTargetRow] = [:]
        func text(_ value: DatabaseValue, id: String, table: String, column: String) -> String? {
            switch value.storage {
            case .null: return nil
            case .string(let text): return text
            case .int64(let number): return String(number)
            case .double(let number): return String(number)
            case .blob:
                failures[id] =
                    failures[id]
                    ?? UnreadableTargetRow(
                        customerId: id, table: table, column: column,
                        problem: "holds binary data where text is expected")
                return nil
            }
        }
        for chunk in ids.chunked(500) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let arguments = StatementArguments(chunk)
            let customerColumns = CustomerImage.customerColumns.joined(separator: ",")
            for row in try Row.fetchAll(
                db, sql: "SELECT customer_id, \(customerColumns) FROM customer WHERE customer_id IN (\(marks))",
                arguments: arguments)
            {
                let id: String = row[0]
                var rows = CustomerRows()
                for (index, column) in CustomerImage.customerColumns.enumerated() {
                    if let value = text(row[index + 1] as DatabaseValue, id: id, table: "customer", column: column),
                        !value.isEmpty
                    {
                        rows.customer[column] = value
                    }
                }
                found[id] = rows
            }
            for table in TargetSchema.childTables {
                let columns = CustomerImage.childColumns[table]!
                let identity = CustomerImage.rowIdentity[table]!
                for row in try Row.fetchAll(
                    db,
                    sql:
                        "SELECT customer_id, \(columns.joined(separator: ",")) FROM \(table) WHERE customer_id IN (\(marks))",
                    arguments: arguments)
                {
                    let id: String = row[0]
                    var values: [String: String] = [:]
                    for (index, column) in columns.enumerated() {
                        if let value = text(row[index + 1] as DatabaseValue, id: id, table: table, column: column),
                            !value.isEmpty
                        {
                            values[column] = value
                        }
                    }
                    let rowId = CustomerImage.safe(identity.map { values[$0] ?? "" }.joined(separator: "/"))
                    found[id, default: CustomerRows()].children[table, default: [:]][rowId, default: [:]]
                        .merge(values) { _, new in new }
                }
            }
        }
        var result: [String: Result<CustomerRows, UnreadableTargetRow>] = [:]
        for (id, rows) in found { result[id] = .success(rows) }
        for (id, failure) in failures { result[id] = .failure(failure) }
        return result
    }
}
