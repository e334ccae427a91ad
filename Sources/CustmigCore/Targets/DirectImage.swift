/// A plan's image of a new customer read straight into what the cutover writes — its values by
/// column position and its last-loaded text — in one pass over the JSON, without the rows'
/// dictionaries: hashing their keys was most of the read-ahead thread's time, and that thread had
/// become the slower side of the cutover. Gives the same as ``BoundRows/init(_:)`` and
/// ``StoredImageText/compact(_:)`` of the parsed rows, or nil for what only that general path holds
/// (an unknown table or column, a separator byte, a text that is not a flat image).
enum DirectImage {
    static func read(json: String) -> (bound: BoundRows, loadedText: String)? {
        read(sizeHint: json.utf8.count / 2) { field in
            FlatJSON.forEach(json) { path, value in field(path, value, nil) }
        }
    }

    /// The same from an image built in memory (an insert rebuilt from its canonical record): its values
    /// in any order, its own strings, no JSON text in between.
    static func read(image: CustomerImage) -> (bound: BoundRows, loadedText: String)? {
        read(image: image, withText: true)
    }

    /// Only the rows, for a rehearsal that writes no bookkeeping row.
    static func bound(image: CustomerImage) -> BoundRows? {
        read(image: image, withText: false)?.bound
    }

    private static func read(image: CustomerImage, withText: Bool) -> (bound: BoundRows, loadedText: String)? {
        read(sizeHint: withText ? 512 : 0, withText: withText) { field in
            for (path, value) in image.values {
                var (path, bytes) = (path, value)
                path.withUTF8 { path in bytes.withUTF8 { field(path, $0, value) } }
            }
            return true
        }
    }

    /// `forEach` hands each path and value as bytes, with the value's `String` when it has one.
    private static func read(
        sizeHint: Int, withText: Bool = true,
        _ forEach: ((UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, String?) -> Void) -> Bool
    ) -> (bound: BoundRows, loadedText: String)? {
        var customer = [String?](repeating: nil, count: customerColumns.count)
        var tables = [[Row]](repeating: [], count: childColumns.count)
        var failed = false
        let parsed = forEach { path, value, string in
            guard !failed else { return }
            if value.contains(where: { $0 == StoredImageText.rowSeparator || $0 == StoredImageText.valueEnd }) {
                failed = true
                return
            }
            let text = string ?? String(decoding: value, as: UTF8.self)
            guard let open = path.firstIndex(of: UInt8(ascii: "[")), let close = path.lastIndex(of: UInt8(ascii: "]")),
                open < close
            else {
                guard let column = position(of: path[...], in: customerColumns) else {
                    failed = true
                    return
                }
                customer[column] = text
                return
            }
            guard let table = position(of: path[..<open], in: tableNames),
                let column = position(of: path[min(close + 2, path.count)...], in: childColumns[table])
            else {
                failed = true
                return
            }
            let id = path[(open + 1)..<close]
            // A row's values come together (keys are sorted): the last row is the usual match.
            let row =
                tables[table].lastIndex { $0.idBytes.elementsEqual(id) }
                ?? {
                    tables[table].append(
                        Row(
                            id: String(decoding: UnsafeBufferPointer(rebasing: id), as: UTF8.self), idBytes: Array(id),
                            values: [String?](repeating: nil, count: childColumns[table].count)))
                    return tables[table].count - 1
                }()
            tables[table][row].values[column] = text
        }
        guard parsed, !failed else { return nil }
        guard withText else {
            let children = tables.map { rows in rows.sorted { $0.id < $1.id }.map(\.values) }
            return (BoundRows(customer: customer, children: children), "")
        }
        return finish(customer: customer, tables: tables, sizeHint: sizeHint)
    }

    /// The bound rows and last-loaded text of a customer's values by position.
    static func finish(
        customer: [String?], tables: [[Row]], sizeHint: Int
    ) -> (bound: BoundRows, loadedText: String)? {
        var bytes: [UInt8] = [StoredImageText.start]
        bytes.reserveCapacity(sizeHint)
        func append(_ values: [String?]) {
            for value in values {
                if let value { bytes += value.utf8 }
                bytes.append(StoredImageText.valueEnd)
            }
        }
        append(customer)
        var children: [[[String?]]] = []
        for (position, rows) in tables.enumerated() {
            let sorted = rows.sorted { $0.id < $1.id }
            for row in sorted {
                bytes.append(StoredImageText.rowSeparator)
                bytes.append(UInt8(ascii: "0") + UInt8(position))
                let madeOfIdentity = CustomerImage.safe(
                    identity[position].map { row.values[$0] ?? "" }.joined(separator: "/"))
                if row.id != madeOfIdentity {
                    if row.idBytes.contains(where: {
                        $0 == StoredImageText.rowSeparator || $0 == StoredImageText.valueEnd
                    }) {
                        return nil
                    }
                    bytes.append(UInt8(ascii: "!"))
                    bytes += row.idBytes
                }
                bytes.append(StoredImageText.valueEnd)
                append(row.values)
            }
            children.append(sorted.map(\.values))
        }
        return (BoundRows(customer: customer, children: children), String(decoding: bytes, as: UTF8.self))
    }

    struct Row {
        var id: String
        var idBytes: [UInt8]
        var values: [String?]
    }

    static let customerColumns = CustomerImage.customerColumns.map { Array($0.utf8) }
    static let tableNames = TargetSchema.childTables.map { Array($0.utf8) }
    static let childColumns = TargetSchema.childTables.map {
        CustomerImage.childColumns[$0]!.map { Array($0.utf8) }
    }
    /// Each child table's identity columns, by position.
    private static let identity = TargetSchema.childTables.map { table in
        CustomerImage.rowIdentity[table]!.map { CustomerImage.childColumns[table]!.firstIndex(of: $0)! }
    }

    private static func position(of name: Slice<UnsafeBufferPointer<UInt8>>, in names: [[UInt8]]) -> Int? {
        names.firstIndex { $0.count == name.count && $0.elementsEqual(name) }
    }
}
