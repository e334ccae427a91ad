/// The text a target keeps a customer's "last loaded" image in (`custmig_loaded.image`, and the undo
/// log's copy of it). Column names are the schema's, so the text holds only values, by position:
/// at a million customers the JSON form (`"address[legal-1].city":"Köln",…`) was two thirds of the
/// target's file and a quarter of the cutover's time.
///
/// Layout: STX (0x02); the customer row's values in ``CustomerImage/customerColumns`` order, each
/// ended by US (0x1F); then per child row RS (0x1E), the table's index in
/// ``TargetSchema/childTables``, its row id and its values in ``CustomerImage/childColumns`` order,
/// each ended by US. The row id is empty when it is the one its identity columns give (as a target
/// read builds it), else `!` and the id. An empty value is an absent one (images hold no empty values).
/// An image this cannot hold (a column outside the schema, a value with a separator byte) is stored
/// as its JSON text, which every reader still takes: targets written before hold only JSON.
enum StoredImageText {
    static let start: UInt8 = 0x02
    static let rowSeparator: UInt8 = 0x1E
    static let valueEnd: UInt8 = 0x1F

    private static let customerIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: CustomerImage.customerColumns.enumerated().map { ($1, $0) })
    private static let childIndex: [String: [String: Int]] = CustomerImage.childColumns.mapValues { columns in
        Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
    }

    /// The text to store for an image with these rows: compact when it can hold them, else `json()`.
    static func text(_ rows: CustomerRows, json: () -> String) -> String {
        compact(rows) ?? json()
    }

    /// The compact text, or nil when the rows do not fit its layout.
    static func compact(_ rows: CustomerRows) -> String? {
        var bytes: [UInt8] = [start]
        bytes.reserveCapacity(512)
        guard append(rows.customer, columns: CustomerImage.customerColumns, index: customerIndex, to: &bytes) else {
            return nil
        }
        guard rows.children.keys.allSatisfy({ CustomerImage.childColumns[$0] != nil }) else { return nil }
        for (position, table) in TargetSchema.childTables.enumerated() {
            guard let tableRows = rows.children[table] else { continue }
            let columns = CustomerImage.childColumns[table]!
            let identity = CustomerImage.rowIdentity[table]!
            for (rowId, values) in tableRows.sorted(by: { $0.key < $1.key }) {
                bytes.append(rowSeparator)
                bytes.append(UInt8(ascii: "0") + UInt8(position))
                if rowId != CustomerImage.safe(identity.map { values[$0] ?? "" }.joined(separator: "/")) {
                    guard fits(rowId) else { return nil }
                    bytes.append(UInt8(ascii: "!"))
                    bytes += rowId.utf8
                }
                bytes.append(valueEnd)
                guard append(values, columns: columns, index: childIndex[table]!, to: &bytes) else { return nil }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func fits(_ value: String) -> Bool {
        !value.utf8.contains { $0 == rowSeparator || $0 == valueEnd }
    }

    private static func append(
        _ values: [String: String], columns: [String], index: [String: Int], to bytes: inout [UInt8]
    ) -> Bool {
        guard values.keys.allSatisfy({ index[$0] != nil }) else { return false }
        for column in columns {
            if let value = values[column], !value.isEmpty {
                guard fits(value) else { return false }
                bytes += value.utf8
            }
            bytes.append(valueEnd)
        }
        return true
    }

    /// The rows a stored text holds, compact or JSON; nil when it is neither.
    static func rows(_ text: String) -> CustomerRows? {
        guard text.utf8.first == start else { return CustomerRows.parse(json: text)?.rows }
        var rows = CustomerRows()
        var text = text
        let parsed = text.withUTF8 { bytes -> Bool in
            var index = 1
            /// The next field up to US, nil at the end of the text or of a row.
            func field() -> String? {
                let begin = index
                while index < bytes.count, bytes[index] != valueEnd {
                    if bytes[index] == rowSeparator { return nil }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                index += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[begin..<(index - 1)]), as: UTF8.self)
            }
            for (position, column) in CustomerImage.customerColumns.enumerated() {
                // A text stored by schema version 2 ends its customer row before the person columns.
                if position >= CustomerImage.customerColumnsBeforePersons
                    && (index >= bytes.count || bytes[index] == rowSeparator)
                {
                    break
                }
                guard let value = field() else { return false }
                if !value.isEmpty { rows.customer[column] = value }
            }
            while index < bytes.count {
                guard bytes[index] == rowSeparator, index + 1 < bytes.count else { return false }
                let position = Int(bytes[index + 1]) - Int(UInt8(ascii: "0"))
                guard TargetSchema.childTables.indices.contains(position) else { return false }
                index += 2
                let table = TargetSchema.childTables[position]
                guard let storedId = field() else { return false }
                var values: [String: String] = [:]
                for column in CustomerImage.childColumns[table]! {
                    guard let value = field() else { return false }
                    if !value.isEmpty { values[column] = value }
                }
                let rowId =
                    storedId.isEmpty
                    ? CustomerImage.safe(
                        CustomerImage.rowIdentity[table]!.map { values[$0] ?? "" }.joined(separator: "/"))
                    : String(storedId.dropFirst())
                rows.children[table, default: [:]][rowId] = values
            }
            return true
        }
        return parsed ? rows : nil
    }
}

extension CustomerImage {
    /// The image a stored "last loaded" text holds (compact or JSON, see ``StoredImageText``).
    init?(storedText text: String) {
        guard let rows = StoredImageText.rows(text) else { return nil }
        self.init(rows: rows)
    }
}
