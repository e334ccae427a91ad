/// The code lists the plan's values are checked against before the target sees them.
extension Planner {
    /// The first code the target is not configured with, among the values the cutover would write.
    func codeProblem(in image: CustomerImage, before: CustomerImage?) -> String? {
        for (path, value) in image.values.sorted(by: { $0.key < $1.key }) where before?.values[path] != value {
            let part = CustomerImage.split(path)
            guard let kind = Self.codeKind(table: part.table, column: part.column), !codes.contains(value, kind: kind),
                // Languages are checked where the target lists them (an ERP's), not against code-list files.
                kind != "language" || codes.entries["language"] != nil
            else { continue }
            return
                "\(CustomerImage.label(path)) \"\(value)\" is not a \(kind.replacingOccurrences(of: "_", with: " ")) the target is configured with "
                + "(code_\(kind)) — add it to the target's code lists or map it to one that exists"
        }
        return nil
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
