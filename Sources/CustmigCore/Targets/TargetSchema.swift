/// The target's business-partner model (schema version 3): a cloud ERP business partner in the customer role, its
/// code lists, and custmig's own bookkeeping in `custmig_` tables.
///
/// Every value is TEXT so that what custmig compares is exactly what was stored (a NUMERIC column
/// would turn `12500.00` into `12500.0`); check constraints keep each column's canonical shape.
/// Child rows point at their customer with `ON DELETE CASCADE`; code columns are foreign keys into
/// the code-list tables, so a code the ERP is not configured with is refused by the database itself.
public enum TargetSchema {
    public static let name = "custmig.target"
    public static let version = 3
    /// Versions this custmig opens (and upgrades): 1 held every "last loaded" image as JSON (see
    /// ``StoredImageText``) and its undo log did not keep which plan had loaded a customer before; 2
    /// had no person fields (category, name parts, birth date) and no identifier table.
    public static let readableVersions = 1...3

    /// A kind of code list: the table that holds it and the columns that must use it.
    public struct CodeKind: Sendable, Hashable {
        public var name: String
        public var describes: String
        public var table: String { "code_\(name)" }
    }

    public static let codeKinds: [CodeKind] = [
        CodeKind(name: "account_group", describes: "customer account groups (detail: internal number range FROM-TO)"),
        CodeKind(name: "payment_terms", describes: "terms of payment"),
        CodeKind(name: "sales_organization", describes: "sales organizations"),
        CodeKind(name: "distribution_channel", describes: "distribution channels"),
        CodeKind(name: "division", describes: "divisions"),
        CodeKind(name: "company_code", describes: "company codes (detail: currency)"),
        CodeKind(name: "reconciliation_account", describes: "reconciliation accounts (G/L)"),
        CodeKind(name: "country", describes: "countries (ISO 3166-1 alpha-2)"),
        CodeKind(name: "currency", describes: "currencies (ISO 4217)"),
        CodeKind(name: "incoterms", describes: "Incoterms"),
    ]

    /// The child tables, in the order rows are written (parents of foreign keys first).
    public static let childTables = [
        "address", "contact", "bank_account", "sales_area", "partner_function", "company_code", "identifier",
    ]
}
