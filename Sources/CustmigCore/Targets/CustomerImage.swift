import Crypto
import Foundation

/// One customer as the target holds it — its own row and its child rows — flattened to
/// `path -> value`, the unit every three-way comparison, fingerprint and "last loaded" copy uses.
///
/// Paths are canonical entity and field names (``TargetSchema``'s business-partner model): `name1`,
/// `credit_limit` on the customer, and `entity[row].field` on its parts (`address[legal-1].street`,
/// `sales_area[1000/10/00].payment_terms`, `partner_function[1000/10/00/sold_to/0000001234].partner_id`).
/// Each target maps them to its own schema: the SQLite and PostgreSQL targets store them under the
/// same names, an ERP behind an API maps them to its fields. Every child row carries its identity
/// fields too, so a row is never without values. NULL is an absent path. References to other
/// customers hold *target* customer ids, so ours, base and theirs compare in the same key space.
public struct CustomerImage: Sendable, Hashable {
    public var values: [String: String]

    public init(values: [String: String] = [:]) { self.values = values }

    public static let customerColumns = [
        "external_id", "name1", "name2", "name3", "name4", "search_term", "account_group", "status", "order_block",
        "delivery_block", "billing_block", "posting_block", "vat_id", "tax_number_1", "tax_number_2", "language",
        "currency", "industry", "parent_id", "payment_terms", "credit_limit", "created_on",
        // Schema version 3 (persons): last, so that stored images of version 2 read by position.
        "category", "title", "first_name", "last_name", "birth_date",
    ]

    /// How many customer columns a stored image of schema version 2 holds.
    static let customerColumnsBeforePersons = 22

    /// Columns of each child table, its row-id column first.
    public static let childColumns: [String: [String]] = [
        "address": [
            "address_id", "kind", "street", "house_number", "postal_code", "city", "region", "country", "po_box",
        ],
        "contact": ["contact_id", "first_name", "last_name", "phone", "email", "department", "function"],
        "bank_account": ["bank_account_id", "iban", "bank_country", "bank_key", "account_number", "holder"],
        "sales_area": [
            "sales_organization", "distribution_channel", "division", "currency", "payment_terms", "incoterms",
            "incoterms_location", "customer_group",
        ],
        "partner_function": ["sales_organization", "distribution_channel", "division", "role", "partner_id"],
        "company_code": ["company_code", "reconciliation_account", "payment_terms"],
        "identifier": ["identifier_id", "type", "country", "value"],
    ]

    /// The columns that make up a child row's id in its path.
    static let rowIdentity: [String: [String]] = [
        "address": ["address_id"], "contact": ["contact_id"], "bank_account": ["bank_account_id"],
        "sales_area": ["sales_organization", "distribution_channel", "division"],
        "partner_function": ["sales_organization", "distribution_channel", "division", "role", "partner_id"],
        "company_code": ["company_code"],
        "identifier": ["identifier_id"],
    ]

    // MARK: Building

    /// The image custmig wants for `customer`; `resolve` turns a legacy key (parent, partner) into the
    /// target id it will have, nil when it will not exist (the reference is then listed in `unresolved`).
    public init(
        _ customer: CanonicalCustomer, externalId: String, resolve: (String) -> String?, unresolved: inout [String]
    ) {
        // Sized for a typical customer at once (growing from empty rehashed it six times), and each child
        // row's `table[id].` prefix made once for all its columns (values come row by row).
        var values = [String: String](minimumCapacity: 48)
        var row: (table: String, id: String, prefix: String)?
        Self.emit(customer, externalId: externalId, resolve: resolve, unresolved: &unresolved) {
            table, id, column, value in
            guard let table else {
                values[column] = value
                return
            }
            if row == nil || row!.id != id || row!.table != table {
                row = (table, id, table + "[" + Self.safe(id) + "].")
            }
            values[row!.prefix + column] = value
        }
        self.values = values
    }

    /// The image's values as they are made, one at a time: the customer row's (`table` nil) and each child
    /// row's by table and row id (not yet made safe). A later value of the same place replaces an earlier
    /// one. One definition of what a customer's image holds, for the image and for the cutover's rows
    /// built straight from a canonical record (``DirectImage/build(_:externalId:resolve:)``).
    static func emit(
        _ customer: CanonicalCustomer, externalId: String, resolve: (String) -> String?, unresolved: inout [String],
        _ value: (_ table: String?, _ row: String, _ column: String, _ value: String) -> Void
    ) {
        value(nil, "", "external_id", externalId)
        func set(_ column: String, _ text: String?) {
            if let text, !text.isEmpty { value(nil, "", column, text) }
        }
        for (index, name) in customer.names.prefix(4).enumerated() { set(Self.nameColumns[index], name) }
        set("search_term", customer.searchTerm)
        set("account_group", customer.accountGroup)
        set("status", customer.status == .active ? "active" : customer.status == .blocked ? "blocked" : "inactive")
        for (area, column) in Self.blockColumns { set(column, customer.blocks[area]) }
        set("vat_id", customer.vatId)
        set("tax_number_1", customer.taxNumbers["tax_number_1"])
        set("tax_number_2", customer.taxNumbers["tax_number_2"])
        set("language", customer.language)
        set("currency", customer.currency)
        set("industry", customer.industry)
        if let parent = customer.parentKey, !parent.isEmpty {
            if let id = resolve(parent) { value(nil, "", "parent_id", id) } else { unresolved.append(parent) }
        }
        set("payment_terms", customer.paymentTerms)
        set("credit_limit", customer.creditLimit)
        set("created_on", customer.createdOn)
        set("category", customer.category?.rawValue)
        set("title", customer.title)
        set("first_name", customer.firstName)
        set("last_name", customer.lastName)
        set("birth_date", customer.birthDate)

        func row(_ table: String, _ id: String, _ columns: [(String, String?)]) {
            for (column, text) in columns { if let text, !text.isEmpty { value(table, id, column, text) } }
        }
        var ordinal: [Address.Kind: Int] = [:]
        for address in customer.addresses {
            ordinal[address.kind, default: 0] += 1
            let id = "\(address.kind.rawValue)-\(ordinal[address.kind]!)"
            row(
                "address", id,
                [
                    ("address_id", id), ("kind", address.kind.rawValue), ("street", address.street),
                    ("house_number", address.houseNumber), ("postal_code", address.postalCode), ("city", address.city),
                    ("region", address.region), ("country", address.country), ("po_box", address.poBox),
                ])
        }
        for (index, contact) in customer.contacts.enumerated() {
            let id = contact.id.flatMap { $0.isEmpty ? nil : $0 } ?? String(index + 1)
            row(
                "contact", id,
                [
                    ("contact_id", id), ("first_name", contact.firstName), ("last_name", contact.lastName),
                    ("phone", contact.phone), ("email", contact.email), ("department", contact.department),
                    ("function", contact.function),
                ])
        }
        for (index, bank) in customer.bankAccounts.enumerated() {
            let id = String(index + 1)
            row(
                "bank_account", id,
                [
                    ("bank_account_id", id), ("iban", bank.iban), ("bank_country", bank.bankCountry),
                    ("bank_key", bank.bankKey),
                    ("account_number", bank.accountNumber), ("holder", bank.holder),
                ])
        }
        for area in customer.salesAreas {
            let areaId = "\(area.salesOrganization)/\(area.distributionChannel)/\(area.division)"
            let identity = [
                ("sales_organization", area.salesOrganization as String?),
                ("distribution_channel", area.distributionChannel),
                ("division", area.division),
            ]
            row(
                "sales_area", areaId,
                identity + [
                    ("currency", area.currency), ("payment_terms", area.paymentTerms), ("incoterms", area.incoterms),
                    ("incoterms_location", area.incotermsLocation), ("customer_group", area.customerGroup),
                ])
            for partner in area.partners {
                let target: String?
                if partner.customerKey == customer.legacyKey {
                    target = resolve(partner.customerKey) ?? externalId
                } else {
                    target = resolve(partner.customerKey)
                }
                guard let target else {
                    unresolved.append(partner.customerKey)
                    continue
                }
                row(
                    "partner_function", "\(areaId)/\(partner.role.rawValue)/\(target)",
                    identity + [
                        ("role", partner.role.rawValue), ("partner_id", target),
                    ])
            }
        }
        for code in customer.companyCodes {
            row(
                "company_code", code.companyCode,
                [
                    ("company_code", code.companyCode), ("reconciliation_account", code.reconciliationAccount),
                    ("payment_terms", code.paymentTerms),
                ])
        }
        var identifierOrdinal: [String: Int] = [:]
        for identifier in customer.identifiers {
            identifierOrdinal[identifier.type, default: 0] += 1
            let id = "\(identifier.type)-\(identifierOrdinal[identifier.type]!)"
            row(
                "identifier", id,
                [
                    ("identifier_id", id), ("type", identifier.type), ("country", identifier.country),
                    ("value", identifier.value),
                ])
        }
    }

    private static let nameColumns = ["name1", "name2", "name3", "name4"]
    private static let blockColumns = [
        ("order", "order_block"), ("delivery", "delivery_block"), ("billing", "billing_block"),
        ("posting", "posting_block"),
    ]

    static func safe(_ id: String) -> String {
        id.utf8.contains(UInt8(ascii: "]")) ? String(id.map { $0 == "]" ? ")" : $0 }) : id
    }

    // MARK: Reading paths

    /// `(table, row id, column)` of a path; the customer row has table `customer` and row id "".
    public static func split(_ path: String) -> (table: String, row: String, column: String) {
        // Byte scans: `Character` scans of every path cost a third of a cutover's time.
        let bytes = path.utf8
        guard let open = bytes.firstIndex(of: UInt8(ascii: "[")), let close = bytes.lastIndex(of: UInt8(ascii: "]"))
        else { return ("customer", "", path) }
        let afterClose = bytes.index(after: close)
        let columnStart = afterClose == bytes.endIndex ? afterClose : bytes.index(after: afterClose)
        return (
            String(path[..<open]), String(path[bytes.index(after: open)..<close]), String(path[columnStart...])
        )
    }

    /// The image of a customer's rows (paths `column` and `table[row id].column`).
    init(rows: CustomerRows) {
        var values = rows.customer
        for (table, tableRows) in rows.children {
            for (rowId, row) in tableRows {
                for (column, value) in row { values["\(table)[\(rowId)].\(column)"] = value }
            }
        }
        self.init(values: values)
    }

    /// The rows of the image: customer columns, and child rows by table and row id.
    public var rows: CustomerRows {
        var customer: [String: String] = [:]
        var children: [String: [String: [String: String]]] = [:]
        for (path, value) in values {
            let part = Self.split(path)
            if part.table == "customer" {
                customer[part.column] = value
            } else {
                children[part.table, default: [:]][part.row, default: [:]][part.column] = value
            }
        }
        return CustomerRows(customer: customer, children: children)
    }

    /// The canonical field name the mapping's `ownership` uses for a path (`credit_limit`,
    /// `addresses.street`, `sales_areas.payment_terms`).
    public static func ownershipName(_ path: String) -> String {
        let part = split(path)
        switch part.table {
        case "customer":
            switch part.column {
            case "parent_id": return "parent"
            case "order_block", "delivery_block", "billing_block", "posting_block":
                return "block_" + part.column.dropLast("_block".count)
            default: return part.column
            }
        case "address": return "addresses." + part.column
        case "contact": return "contacts." + (part.column == "contact_id" ? "id" : part.column)
        case "bank_account": return "bank_accounts." + part.column
        case "identifier": return "identifiers." + (part.column == "identifier_id" ? "type" : part.column)
        case "sales_area": return "sales_areas." + part.column
        case "partner_function":
            return "sales_areas.partners." + (part.column == "partner_id" ? "customer" : part.column)
        default: return "company_codes." + part.column
        }
    }

    /// A label for people: `Credit limit`, `Sales area 1000/10/00 · payment terms`.
    /// The UTF-8 length of ``label(_:)`` for a path given as bytes, without building it (sizing a plan's
    /// field-level export counts millions of them). Paths are ASCII, so a case change keeps the length.
    static func labelByteCount(_ path: UnsafeBufferPointer<UInt8>) -> Int {
        guard let open = path.firstIndex(of: UInt8(ascii: "[")), let close = path.lastIndex(of: UInt8(ascii: "]"))
        else { return path.count }
        let column = max(0, path.count - close - 2)
        let row = close - open - 1
        let prefix: Int
        switch path[0] {
        case UInt8(ascii: "a"): prefix = "Address ".utf8.count
        case UInt8(ascii: "b"): prefix = "Bank account ".utf8.count
        case UInt8(ascii: "s"): prefix = "Sales area ".utf8.count
        case UInt8(ascii: "p"): prefix = "Partner ".utf8.count
        case UInt8(ascii: "i"): prefix = "Identifier ".utf8.count
        case UInt8(ascii: "c") where path.count > 2 && path[2] == UInt8(ascii: "n"): prefix = "Contact ".utf8.count
        default: prefix = "Company code ".utf8.count
        }
        return prefix + row + " · ".utf8.count + column
    }

    public static func label(_ path: String) -> String {
        let part = split(path)
        let column = String(part.column.map { $0 == "_" ? " " : $0 })
        switch part.table {
        case "customer": return column.prefix(1).uppercased() + column.dropFirst()
        case "address": return "Address \(part.row) · \(column)"
        case "contact": return "Contact \(part.row) · \(column)"
        case "bank_account": return "Bank account \(part.row) · \(column)"
        case "sales_area": return "Sales area \(part.row) · \(column)"
        case "partner_function": return "Partner \(part.row) · \(column)"
        case "identifier": return "Identifier \(part.row) · \(column)"
        default: return "Company code \(part.row) · \(column)"
        }
    }

    // MARK: Serializing

    /// Sorted JSON object: what "last loaded" stores and what fingerprints hash.
    public var jsonText: String {
        var writer = JSONObjectWriter()
        for (path, value) in values.sorted(by: { $0.key < $1.key }) { writer.string(JSONKey(path), value) }
        return writer.finished
    }

    public init?(json: String) {
        guard let object = FlatJSON.parse(json) else { return nil }
        values = object
    }

    /// What one field adds to the field-level export (path, label and value; without the quoting a few
    /// values need).
    static func exportBytes(path: UnsafeBufferPointer<UInt8>, valueBytes: Int) -> Int {
        path.count + labelByteCount(path) + valueBytes
    }

    /// What the image's lines weigh in a field-level export: how many values, and the bytes of their
    /// paths, labels and values (as ``PlanReportRow`` counts a stored image's).
    var fieldSize: (count: Int, bytes: Int) {
        var bytes = 0
        for (path, value) in values {
            var path = path
            bytes += path.withUTF8 { Self.exportBytes(path: $0, valueBytes: value.utf8.count) }
        }
        return (values.count, bytes)
    }

    /// The row fingerprint (see ``Fingerprinter``) over the customer row and its child rows.
    public var fingerprint: String {
        var fingerprinter = Fingerprinter()
        for (path, value) in values {
            var value = value
            value.withUTF8 { fingerprinter.add(path: path, value: $0) }
        }
        return fingerprinter.finished(count: values.count)
    }

    /// The fingerprint of the image a stored JSON text holds, without building the image (nil when
    /// the text is not one): the reconciliation checks a million written customers.
    static func imageFingerprint(json: String) -> String? {
        var fingerprinter = Fingerprinter()
        var count = 0
        let parsed = FlatJSON.forEach(json) { path, value in
            fingerprinter.add(path: path, value: value)
            count += 1
        }
        return parsed ? fingerprinter.finished(count: count) : nil
    }

    /// SHA-256 (first 128 bits, hex) of a text: the source hash of a canonical record.
    static func fingerprint(of json: String) -> String {
        var json = json
        return json.withUTF8 { FileDigest.hex(SHA256.hash(data: UnsafeRawBufferPointer($0)), limit: 16) }
    }
}

/// A customer's rows: its own columns, and child rows by table and row id.
public struct CustomerRows: Sendable, Hashable {
    public var customer: [String: String] = [:]
    public var children: [String: [String: [String: String]]] = [:]

    /// The row fingerprint: the value ``CustomerImage/fingerprint`` gives for the image of these rows.
    var fingerprint: String {
        var fingerprinter = Fingerprinter()
        var count = 0
        func add(_ prefix: Fingerprinter.PartHash, _ column: String, _ value: String) {
            var value = value
            value.withUTF8 { fingerprinter.add(prefix: prefix, column: Fingerprinter.hash(column), value: $0) }
            count += 1
        }
        for (column, value) in customer { add(Fingerprinter.empty, column, value) }
        for (table, tableRows) in children {
            for (rowId, row) in tableRows {
                let prefix = Fingerprinter.hash("\(table)[\(rowId)].")
                for (column, value) in row { add(prefix, column, value) }
            }
        }
        return fingerprinter.finished(count: count)
    }

    /// The rows a stored image text holds, and the image's fingerprint, in one pass over the text
    /// (paths split as ``CustomerImage/split(_:)`` splits them); nil when the text is not an image.
    static func parse(json: String) -> (rows: CustomerRows, fingerprint: String)? {
        var rows = CustomerRows()
        var fingerprinter = Fingerprinter()
        var count = 0
        let parsed = FlatJSON.forEach(json) { path, value in
            fingerprinter.add(path: path, value: value)
            count += 1
            let text = String(decoding: value, as: UTF8.self)
            guard let open = path.firstIndex(of: UInt8(ascii: "[")), let close = path.lastIndex(of: UInt8(ascii: "]")),
                open < close
            else {
                rows.customer[String(decoding: path, as: UTF8.self)] = text
                return
            }
            let table = String(decoding: UnsafeBufferPointer(rebasing: path[..<open]), as: UTF8.self)
            let row = String(decoding: UnsafeBufferPointer(rebasing: path[(open + 1)..<close]), as: UTF8.self)
            let column = String(
                decoding: UnsafeBufferPointer(rebasing: path[min(close + 2, path.count)...]), as: UTF8.self)
            rows.children[table, default: [:]][row, default: [:]][column] = text
        }
        return parsed ? (rows, fingerprinter.finished(count: count)) : nil
    }
}
