/// A new customer's image by column position, for the plan's most common action: a first load's insert
/// into a target that holds every canonical field. Its rows are built straight from the canonical record
/// (``DirectImage/build(_:externalId:resolve:unresolved:withText:)``), and the planner's checks and counts
/// — code lists, control totals, the fields an insert fills, the field-level export size — read them by
/// position. Each gives what its ``CustomerImage`` counterpart gives for the image of the same record (a
/// test holds them equal on random customers); making that image's path dictionary, walking it four
/// times and turning it into rows again for the rehearsal was a fifth of a first load's dry run.
struct NewCustomerImage: Sendable {
    let built: DirectImage.Built
    /// The record and the target ids its references resolved to: the image, made when asked for.
    let record: PreparedImages.RecordImage

    /// Nil where only the path dictionary holds the image (a separator byte in a value).
    init?(
        _ customer: CanonicalCustomer, externalId: String, resolve: (String) -> String?, unresolved: inout [String]
    ) {
        var resolved: [String: String] = [:]
        guard
            let built = DirectImage.build(
                customer, externalId: externalId,
                resolve: { legacy in
                    let id = resolve(legacy)
                    if let id { resolved[legacy] = id }
                    return id
                }, unresolved: &unresolved, withText: false)
        else { return nil }
        self.built = built
        record = PreparedImages.RecordImage(customer: customer, externalId: externalId, resolved: resolved)
    }

    /// The target id each reference resolved to, by legacy key.
    var resolved: [String: String] { record.resolved }

    /// The image with its path dictionary (``CustomerImage``), for what only reads it that way.
    var image: CustomerImage { record.image }

    var fingerprint: String { built.fingerprint }

    /// What the rehearsal beside planning writes: the rows, the last-loaded text made only if asked for.
    var preparedForRehearsal: PreparedImages { PreparedImages.built(built, from: record) }

    // MARK: Values by position

    /// Calls `body` with each value: its table's position (nil: the customer row, else in
    /// ``TargetSchema/childTables``), its row's id (empty for the customer row), its column's position
    /// and the value.
    func forEachValue(_ body: (_ table: Int?, _ row: String, _ column: Int, _ value: String) -> Void) {
        for (column, value) in built.bound.customer.enumerated() {
            if let value { body(nil, "", column, value) }
        }
        for (table, rows) in built.bound.children.enumerated() {
            for (index, row) in rows.enumerated() {
                let id = built.rowIds[table][index]
                for (column, value) in row.enumerated() {
                    if let value { body(table, id, column, value) }
                }
            }
        }
    }

    /// A value's path as the image names it (`name1`, `address[legal-1].street`).
    static func path(table: Int?, row: String, column: Int) -> String {
        guard let table else { return CustomerImage.customerColumns[column] }
        return "\(TargetSchema.childTables[table])[\(row)].\(BoundRows.childColumns[table][column])"
    }

    /// The customer row's value of a column.
    func customerValue(_ column: Int) -> String? { built.bound.customer[column] }

    // MARK: What the planner reads

    /// ``CustomerImage/fieldSize``: how many values, and the bytes of their paths, labels and values in a
    /// field-level export.
    var fieldSize: (count: Int, bytes: Int) {
        var count = 0
        var bytes = 0
        forEachValue { table, row, column, value in
            count += 1
            bytes += value.utf8.count
            guard let table else {
                // A customer column's path is its name, and so is its label's length.
                bytes += 2 * Self.customerColumnBytes[column]
                return
            }
            let rowBytes = row.utf8.count
            bytes += Self.childPathBytes[table] + rowBytes + Self.childColumnBytes[table][column]
            bytes += Self.childLabelBytes[table] + rowBytes + Self.childColumnBytes[table][column]
        }
        return (count, bytes)
    }

    /// ``ControlTotals/add(_:sign:)`` of the image.
    func addTotals(to totals: inout ControlTotals) {
        totals.customers += 1
        totals.byStatus[customerValue(Self.status) ?? "active", default: 0] += 1
        totals.byCountry[country ?? "(none)", default: 0] += 1
        totals.byAccountGroup[customerValue(Self.accountGroup) ?? "(none)", default: 0] += 1
        if let limit = customerValue(Self.creditLimit), let cents = ControlTotals.cents(limit) {
            totals.creditLimitCents[customerValue(Self.currency) ?? "(none)", default: 0] += cents
        }
        for (table, rows) in built.bound.children.enumerated() where !rows.isEmpty {
            totals.rows[TargetSchema.childTables[table], default: 0] += rows.count
        }
    }

    /// ``ControlTotals/country(of:)``: the legal address's country, else the first address's by path.
    private var country: String? {
        let ids = built.rowIds[Self.addressTable]
        let rows = built.bound.children[Self.addressTable]
        if let legal = ids.firstIndex(of: "legal-1"), let country = rows[legal][Self.addressCountry] {
            return country
        }
        var first: (path: String, value: String)?
        for (index, row) in rows.enumerated() {
            guard let country = row[Self.addressCountry] else { continue }
            let path = Self.path(table: Self.addressTable, row: ids[index], column: Self.addressCountry)
            if first.map({ path < $0.path }) ?? true { first = (path, country) }
        }
        return first?.value
    }

    /// ``Planner/codeProblem(in:before:kinds:)`` of a new customer: the first value (in path order) that is
    /// not in the target's code list of its column.
    func codeProblem(codes: CodeLists) -> String? {
        var first: (path: String, value: String, kind: String)?
        let checksLanguage = codes.entries["language"] != nil
        forEachValue { table, row, column, value in
            let kind = table.map { Self.childKinds[$0][column] } ?? Self.customerKinds[column]
            guard let kind, kind != "language" || checksLanguage, !codes.contains(value, kind: kind) else { return }
            let path = Self.path(table: table, row: row, column: column)
            if first.map({ path < $0.path }) ?? true { first = (path, value, kind) }
        }
        guard let (path, value, kind) = first else { return nil }
        return Planner.codeProblemMessage(path: path, value: value, kind: kind)
    }

    // MARK: Positions and sizes worked out once

    private static let status = CustomerImage.customerColumns.firstIndex(of: "status")!
    private static let accountGroup = CustomerImage.customerColumns.firstIndex(of: "account_group")!
    private static let creditLimit = CustomerImage.customerColumns.firstIndex(of: "credit_limit")!
    private static let currency = CustomerImage.customerColumns.firstIndex(of: "currency")!
    static let externalId = CustomerImage.customerColumns.firstIndex(of: "external_id")!
    private static let addressTable = TargetSchema.childTables.firstIndex(of: "address")!
    private static let addressCountry = CustomerImage.childColumns["address"]!.firstIndex(of: "country")!

    private static let customerColumnBytes = CustomerImage.customerColumns.map(\.utf8.count)
    private static let childColumnBytes = BoundRows.childColumns.map { $0.map(\.utf8.count) }
    /// `table[` and `].`: a child path's bytes besides its row id and column.
    private static let childPathBytes = TargetSchema.childTables.map { $0.utf8.count + 3 }
    /// A child path's label's bytes besides its row id and column (`Address ` and ` · `).
    private static let childLabelBytes = TargetSchema.childTables.map { table in
        Array("\(table)[].".utf8).withUnsafeBufferPointer { CustomerImage.labelByteCount($0) }
    }
    private static let customerKinds = CustomerImage.customerColumns.map {
        Planner.codeKind(table: "customer", column: $0)
    }
    private static let childKinds = zip(TargetSchema.childTables, BoundRows.childColumns).map { table, columns in
        columns.map { Planner.codeKind(table: table, column: $0) }
    }
}
