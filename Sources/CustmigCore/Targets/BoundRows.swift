/// A customer's rows in the order the apply path binds them, worked out on the read-ahead thread:
/// values by schema column position, each child table's rows sorted by row id. Looking values up in
/// the rows' dictionaries was a fifth of the writing thread's time at the cutover.
struct BoundRows: Sendable, Hashable {
    /// In ``CustomerImage/customerColumns`` order.
    var customer: [String?]
    /// By ``TargetSchema/childTables`` position; rows sorted by row id, values in
    /// ``CustomerImage/childColumns`` order.
    var children: [[[String?]]]

    init(_ rows: CustomerRows) {
        customer = CustomerImage.customerColumns.map { rows.customer[$0] }
        children = zip(TargetSchema.childTables, Self.childColumns).map { table, columns in
            (rows.children[table] ?? [:]).sorted { $0.key < $1.key }.map { _, row in columns.map { row[$0] } }
        }
    }

    init(customer: [String?], children: [[[String?]]]) {
        self.customer = customer
        self.children = children
    }

    static let childColumns = TargetSchema.childTables.map { CustomerImage.childColumns[$0]! }
    static let statusColumn = CustomerImage.customerColumns.firstIndex(of: "status")!
    static let parentColumn = CustomerImage.customerColumns.firstIndex(of: "parent_id")!
    static let partnerFunctionTable = TargetSchema.childTables.firstIndex(of: "partner_function")!
    static let salesAreaTable = TargetSchema.childTables.firstIndex(of: "sales_area")!
    static let partnerColumn = CustomerImage.childColumns["partner_function"]!.firstIndex(of: "partner_id")!
}
