/// A new customer's rows built straight from its canonical record, for a plan that refers to the
/// record instead of storing the image: the values ``CustomerImage/emit`` makes go to their column
/// positions, and the fingerprint is taken over the rows as they end — never a path made and parsed
/// again, never a dictionary (making the image and reading it back cost a cutover a third more time).
/// Gives what ``CustomerImage/init(_:externalId:resolve:unresolved:)`` followed by
/// ``DirectImage/read(image:)`` and ``CustomerImage/fingerprint`` give, or nil where only that general
/// path holds (a separator byte in a value); a test holds them equal on random customers.
extension DirectImage {
    struct Built: Sendable {
        var bound: BoundRows
        /// Nil when built without it (a rehearsal writes no bookkeeping row).
        var loadedText: String?
        var fingerprint: String
        /// Each child table's row ids, in the order of `bound.children`.
        var rowIds: [[String]]
    }

    static func build(
        _ record: CanonicalCustomer, externalId: String, resolve: (String) -> String?, unresolved: inout [String],
        withText: Bool = true
    ) -> Built? {
        var customer = [String?](repeating: nil, count: customerColumns.count)
        var tables = [[Row]](repeating: [], count: childColumns.count)
        var failed = false
        var last = (table: "", id: "", position: 0, row: 0)
        CustomerImage.emit(record, externalId: externalId, resolve: resolve, unresolved: &unresolved) {
            table, id, column, value in
            guard !failed else { return }
            guard let table else {
                guard let position = customerPosition[column] else {
                    failed = true
                    return
                }
                customer[position] = value
                return
            }
            // A row's values come one after another: its table and row are looked up once.
            if table != last.table || id != last.id {
                guard let position = tablePosition[table] else {
                    failed = true
                    return
                }
                let safe = CustomerImage.safe(id)
                let row =
                    tables[position].lastIndex { $0.id == safe }
                    ?? {
                        tables[position].append(
                            Row(
                                id: safe, idBytes: Array(safe.utf8),
                                values: [String?](repeating: nil, count: childColumns[position].count)))
                        return tables[position].count - 1
                    }()
                last = (table, id, position, row)
            }
            guard let position = childPosition[last.position][column] else {
                failed = true
                return
            }
            tables[last.position][last.row].values[position] = value
        }
        // A separator byte in a value that stays (a later value of the same place may replace one).
        func separated(_ value: String?) -> Bool {
            value?.utf8.contains { $0 == StoredImageText.rowSeparator || $0 == StoredImageText.valueEnd } ?? false
        }
        guard !failed, !customer.contains(where: separated),
            !tables.contains(where: { $0.contains { $0.values.contains(where: separated) } })
        else { return nil }
        let sorted = tables.map { rows in rows.sorted { $0.id < $1.id } }
        let finished: (bound: BoundRows, loadedText: String?)
        if withText {
            guard let made = finish(customer: customer, tables: sorted, sizeHint: 512) else { return nil }
            finished = made
        } else {
            finished = (BoundRows(customer: customer, children: sorted.map { $0.map(\.values) }), nil)
        }
        // The fingerprint of the values as they end (a later value of a place replaced an earlier one).
        var fingerprinter = Fingerprinter()
        var count = 0
        func add(prefix: Fingerprinter.PartHash, column: Fingerprinter.PartHash, value: String) {
            var value = value
            value.withUTF8 { fingerprinter.add(prefix: prefix, column: column, value: $0) }
            count += 1
        }
        for (position, value) in customer.enumerated() {
            if let value { add(prefix: Fingerprinter.empty, column: customerColumnHashes[position], value: value) }
        }
        for (tablePosition, rows) in tables.enumerated() {
            for row in rows {
                let prefix = Fingerprinter.hash("\(TargetSchema.childTables[tablePosition])[\(row.id)].")
                for (position, value) in row.values.enumerated() {
                    if let value {
                        add(prefix: prefix, column: childColumnHashes[tablePosition][position], value: value)
                    }
                }
            }
        }
        return Built(
            bound: finished.bound, loadedText: finished.loadedText, fingerprint: fingerprinter.finished(count: count),
            rowIds: sorted.map { $0.map(\.id) })
    }

    private static let customerPosition = Dictionary(
        uniqueKeysWithValues: CustomerImage.customerColumns.enumerated().map { ($1, $0) })
    private static let tablePosition = Dictionary(
        uniqueKeysWithValues: TargetSchema.childTables.enumerated().map { ($1, $0) })
    private static let childPosition = TargetSchema.childTables.map { table in
        Dictionary(uniqueKeysWithValues: CustomerImage.childColumns[table]!.enumerated().map { ($1, $0) })
    }
    private static let customerColumnHashes = CustomerImage.customerColumns.map { Fingerprinter.hash($0) }
    private static let childColumnHashes = TargetSchema.childTables.map { table in
        CustomerImage.childColumns[table]!.map { Fingerprinter.hash($0) }
    }
}
