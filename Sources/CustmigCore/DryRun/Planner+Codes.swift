/// The code lists the plan's values are checked against before the target sees them.
extension Planner {
    /// The first code (in path order) the target is not configured with, among the values the cutover
    /// would write.
    func codeProblem(
        in image: CustomerImage, before: CustomerImage?, kinds: inout PathShapeCache<String?>
    ) -> String? {
        Self.codeProblem(in: image, before: before, codes: codes, kinds: &kinds)
    }

    static func codeProblem(
        in image: CustomerImage, before: CustomerImage?, codes: CodeLists, kinds: inout PathShapeCache<String?>
    ) -> String? {
        // Every value of every planned customer passes here: a path's code list is worked out once per
        // shape of path, and paths are not compared unless their value is not a code.
        var first: (path: String, value: String, kind: String)?
        for (path, value) in image.values {
            var bytes = path
            let kind = bytes.withUTF8 { bytes in
                kinds.value(for: bytes) { path in
                    guard Self.codeColumns.contains(Self.column(of: path)) else { return nil }
                    let part = CustomerImage.split(path)
                    return Self.codeKind(table: part.table, column: part.column)
                }
            }
            guard let kind, before?.values[path] != value, !codes.contains(value, kind: kind),
                // Languages are checked where the target lists them (an ERP's), not against code-list files.
                kind != "language" || codes.entries["language"] != nil
            else { continue }
            if first.map({ path < $0.path }) ?? true { first = (path, value, kind) }
        }
        guard let (path, value, kind) = first else { return nil }
        return Self.codeProblemMessage(path: path, value: value, kind: kind)
    }

    /// Why a value is refused: not in the code list of its kind.
    static func codeProblemMessage(path: String, value: String, kind: String) -> String {
        "\(CustomerImage.label(path)) \"\(value)\" is not a \(kind.replacingOccurrences(of: "_", with: " ")) the target is configured with "
            + "(code_\(kind)) — add it to the target's code lists or map it to one that exists"
    }

    /// The columns ``codeKind(table:column:)`` knows.
    static let codeColumns: Set<Substring> = [
        "account_group", "currency", "payment_terms", "country", "bank_country", "sales_organization",
        "distribution_channel", "division", "incoterms", "company_code", "reconciliation_account", "language",
    ]

    /// A path's column: after its last `.` (child rows), else the path itself.
    static func column(of path: String) -> Substring {
        guard let dot = path.utf8.lastIndex(of: UInt8(ascii: ".")) else { return path[...] }
        return path[path.utf8.index(after: dot)...]
    }

    static func codeKind(table: String, column: String) -> String? {
        switch (table, column) {
        case ("customer", "account_group"): return "account_group"
        case (_, "currency"): return "currency"
        case (_, "payment_terms"): return "payment_terms"
        case ("address", "country"), ("bank_account", "bank_country"): return "country"
        case ("sales_area", "sales_organization"): return "sales_organization"
        case ("sales_area", "distribution_channel"): return "distribution_channel"
        case ("sales_area", "division"): return "division"
        case ("sales_area", "incoterms"): return "incoterms"
        case ("company_code", "company_code"): return "company_code"
        case ("company_code", "reconciliation_account"): return "reconciliation_account"
        case ("customer", "language"): return "language"
        default: return nil
        }
    }
}
