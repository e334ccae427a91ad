import Foundation

/// The target schema's rules (``TargetSchema``: not-null and check constraints, code-list and customer
/// references, unique external ids) as the in-memory target enforces them, refusing with the kind and
/// field a database would name.
enum InMemoryRules {
    static func check(_ rows: CustomerRows, id: String, state: InMemoryState) throws {
        func refuse(_ kind: RefusalKind, _ field: String?, _ what: String) -> InMemoryRefusal {
            InMemoryRefusal(kind: kind, field: field, message: "customer \(id): \(what)")
        }
        func code(_ value: String?, _ kind: String, _ field: String) throws {
            guard let value, !value.isEmpty else { return }
            guard state.codes.contains(value, kind: kind) else {
                throw refuse(.reference, field, "\(field) \"\(value)\" is not in the code list \(kind) (FOREIGN KEY)")
            }
        }
        func customer(_ value: String?, _ field: String) throws {
            guard let value, !value.isEmpty, value != id else { return }
            guard state.customers[value] != nil else {
                throw refuse(.reference, field, "\(field) \"\(value)\" names no customer of the target (FOREIGN KEY)")
            }
        }
        func matches(_ value: String?, _ pattern: String, _ field: String) throws {
            guard let value else { return }
            guard value.range(of: pattern, options: .regularExpression) != nil else {
                throw refuse(
                    .constraint, field,
                    "\(field) \"\(value)\" breaks the target's rule (CHECK constraint failed: \(field))")
            }
        }
        guard !id.isEmpty else { throw refuse(.constraint, "customer_id", "an empty customer id") }
        let row = rows.customer
        guard let name = row["name1"], !name.isEmpty else {
            throw refuse(.constraint, "name1", "name1 is empty (NOT NULL constraint failed: customer.name1)")
        }
        if let external = row["external_id"],
            let holder = state.customers.first(where: { $0.key != id && $0.value.customer["external_id"] == external })
        {
            throw refuse(
                .duplicate, "external_id", "external id \(external) belongs to customer \(holder.key) (UNIQUE)")
        }
        try matches(row["status"], "^(active|blocked|inactive)$", "status")
        try matches(row["vat_id"], "^[A-Z][A-Z]", "vat_id")
        try matches(row["language"], "^.{2}$", "language")
        try matches(row["credit_limit"], "^[0-9.]*[0-9][0-9.]*$", "credit_limit")
        try matches(row["created_on"], "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "created_on")
        try code(row["account_group"], "account_group", "account_group")
        try code(row["currency"], "currency", "currency")
        try code(row["payment_terms"], "payment_terms", "payment_terms")
        try customer(row["parent_id"], "parent_id")
        for address in (rows.children["address"] ?? [:]).values {
            try matches(address["kind"] ?? "", "^(legal|bill_to|ship_to)$", "kind")
            guard let country = address["country"] else {
                throw refuse(
                    .constraint, "country", "an address without country (NOT NULL constraint failed: address.country)")
            }
            try code(country, "country", "country")
        }
        for contact in (rows.children["contact"] ?? [:]).values {
            try matches(contact["phone"], "^[+][1-9]", "phone")
            try matches(contact["email"], "^.+@.+$", "email")
        }
        for bank in (rows.children["bank_account"] ?? [:]).values {
            try code(bank["bank_country"], "country", "bank_country")
        }
        let areas = rows.children["sales_area"] ?? [:]
        for area in areas.values {
            for (field, kind) in [
                ("sales_organization", "sales_organization"), ("distribution_channel", "distribution_channel"),
                ("division", "division"),
            ] {
                guard area[field] != nil else {
                    throw refuse(.constraint, field, "a sales area without \(field) (NOT NULL constraint failed)")
                }
                try code(area[field], kind, field)
            }
            try code(area["currency"], "currency", "currency")
            try code(area["payment_terms"], "payment_terms", "payment_terms")
            try code(area["incoterms"], "incoterms", "incoterms")
        }
        for partner in (rows.children["partner_function"] ?? [:]).values {
            try matches(partner["role"] ?? "", "^(sold_to|ship_to|bill_to|payer)$", "role")
            try customer(partner["partner_id"], "partner_id")
            let area = ["sales_organization", "distribution_channel", "division"].map { partner[$0] ?? "" }
            guard
                areas.values.contains(where: { row in
                    area == ["sales_organization", "distribution_channel", "division"].map { row[$0] ?? "" }
                })
            else {
                throw refuse(
                    .reference, "partner_function",
                    "a partner function outside the customer's sales areas (FOREIGN KEY)")
            }
        }
        for company in (rows.children["company_code"] ?? [:]).values {
            try code(company["company_code"], "company_code", "company_code")
            try code(company["reconciliation_account"], "reconciliation_account", "reconciliation_account")
            try code(company["payment_terms"], "payment_terms", "payment_terms")
        }
    }
}
