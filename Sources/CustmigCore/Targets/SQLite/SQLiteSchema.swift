import GRDB

/// The SQLite target's DDL for ``TargetSchema``: every value TEXT, checks and foreign keys as in
/// the model, custmig's bookkeeping in `custmig_` tables.
enum SQLiteSchema {
    // custmig_loaded and custmig_undo hold images of ~1-2 KB per row: rowid tables (SQLite stores
    // large rows badly in WITHOUT ROWID tables; at 1M customers that tripled the file).
    static let statements: [String] = {
        var sql = TargetSchema.codeKinds.map {
            "CREATE TABLE \($0.table) (code TEXT PRIMARY KEY NOT NULL CHECK (code <> ''), description TEXT, detail TEXT) WITHOUT ROWID"
        }
        sql += [
            """
            CREATE TABLE customer (
              customer_id TEXT PRIMARY KEY NOT NULL CHECK (customer_id <> ''),
              external_id TEXT UNIQUE,
              name1 TEXT NOT NULL CHECK (name1 <> ''), name2 TEXT, name3 TEXT, name4 TEXT, search_term TEXT,
              account_group TEXT REFERENCES code_account_group(code),
              status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'inactive')),
              order_block TEXT, delivery_block TEXT, billing_block TEXT, posting_block TEXT,
              vat_id TEXT CHECK (vat_id IS NULL OR vat_id GLOB '[A-Z][A-Z]*'),
              tax_number_1 TEXT, tax_number_2 TEXT,
              language TEXT CHECK (language IS NULL OR length(language) = 2),
              currency TEXT REFERENCES code_currency(code),
              industry TEXT,
              parent_id TEXT REFERENCES customer(customer_id),
              payment_terms TEXT REFERENCES code_payment_terms(code),
              credit_limit TEXT CHECK (credit_limit IS NULL OR (credit_limit NOT GLOB '*[^0-9.]*' AND credit_limit GLOB '*[0-9]*')),
              created_on TEXT CHECK (created_on IS NULL OR created_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
              \(personColumns.joined(separator: ",\n  "))
            )
            """,
            """
            CREATE TABLE address (
              customer_id TEXT NOT NULL REFERENCES customer(customer_id) ON DELETE CASCADE,
              address_id TEXT NOT NULL,
              kind TEXT NOT NULL CHECK (kind IN ('legal', 'bill_to', 'ship_to')),
              street TEXT, house_number TEXT, postal_code TEXT, city TEXT, region TEXT,
              country TEXT NOT NULL REFERENCES code_country(code), po_box TEXT,
              PRIMARY KEY (customer_id, address_id)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE contact (
              customer_id TEXT NOT NULL REFERENCES customer(customer_id) ON DELETE CASCADE,
              contact_id TEXT NOT NULL,
              first_name TEXT, last_name TEXT,
              phone TEXT CHECK (phone IS NULL OR phone GLOB '+[1-9]*'),
              email TEXT CHECK (email IS NULL OR email LIKE '%_@_%'),
              department TEXT, function TEXT,
              PRIMARY KEY (customer_id, contact_id)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE bank_account (
              customer_id TEXT NOT NULL REFERENCES customer(customer_id) ON DELETE CASCADE,
              bank_account_id TEXT NOT NULL,
              iban TEXT, bank_country TEXT REFERENCES code_country(code), bank_key TEXT, account_number TEXT, holder TEXT,
              PRIMARY KEY (customer_id, bank_account_id)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE sales_area (
              customer_id TEXT NOT NULL REFERENCES customer(customer_id) ON DELETE CASCADE,
              sales_organization TEXT NOT NULL REFERENCES code_sales_organization(code),
              distribution_channel TEXT NOT NULL REFERENCES code_distribution_channel(code),
              division TEXT NOT NULL REFERENCES code_division(code),
              currency TEXT REFERENCES code_currency(code),
              payment_terms TEXT REFERENCES code_payment_terms(code),
              incoterms TEXT REFERENCES code_incoterms(code), incoterms_location TEXT, customer_group TEXT,
              PRIMARY KEY (customer_id, sales_organization, distribution_channel, division)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE partner_function (
              customer_id TEXT NOT NULL,
              sales_organization TEXT NOT NULL, distribution_channel TEXT NOT NULL, division TEXT NOT NULL,
              role TEXT NOT NULL CHECK (role IN ('sold_to', 'ship_to', 'bill_to', 'payer')),
              partner_id TEXT NOT NULL REFERENCES customer(customer_id),
              PRIMARY KEY (customer_id, sales_organization, distribution_channel, division, role, partner_id),
              FOREIGN KEY (customer_id, sales_organization, distribution_channel, division)
                REFERENCES sales_area(customer_id, sales_organization, distribution_channel, division) ON DELETE CASCADE
            ) WITHOUT ROWID
            """,
            "CREATE INDEX partner_function_by_partner ON partner_function(partner_id)",
            "CREATE INDEX customer_by_parent ON customer(parent_id)",
            """
            CREATE TABLE company_code (
              customer_id TEXT NOT NULL REFERENCES customer(customer_id) ON DELETE CASCADE,
              company_code TEXT NOT NULL REFERENCES code_company_code(code),
              reconciliation_account TEXT REFERENCES code_reconciliation_account(code),
              payment_terms TEXT REFERENCES code_payment_terms(code),
              PRIMARY KEY (customer_id, company_code)
            ) WITHOUT ROWID
            """,
            identifierTable,
            "CREATE INDEX identifier_by_value ON identifier(type, value)",
            "CREATE TABLE custmig_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID",
            """
            CREATE TABLE custmig_crosswalk (
              canonical_key TEXT PRIMARY KEY NOT NULL,
              customer_id TEXT NOT NULL UNIQUE,
              how TEXT NOT NULL CHECK (how IN ('inserted', 'linked')),
              image_hash TEXT,
              source_hash TEXT,
              plan_hash TEXT NOT NULL,
              loaded_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE custmig_loaded (
              canonical_key TEXT PRIMARY KEY NOT NULL,
              image TEXT NOT NULL,
              image_hash TEXT NOT NULL,
              source_hash TEXT,
              plan_hash TEXT NOT NULL,
              loaded_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE custmig_checkpoint (
              plan_hash TEXT NOT NULL, batch INTEGER NOT NULL, actions INTEGER NOT NULL, committed_at TEXT NOT NULL,
              PRIMARY KEY (plan_hash, batch)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE custmig_snapshot (
              plan_hash TEXT PRIMARY KEY NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, manifest TEXT NOT NULL,
              taken_at TEXT NOT NULL
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE custmig_undo (
              plan_hash TEXT NOT NULL, batch INTEGER NOT NULL, seq INTEGER NOT NULL,
              canonical_key TEXT NOT NULL, customer_id TEXT NOT NULL,
              before_image TEXT, after_hash TEXT NOT NULL,
              crosswalk_created INTEGER NOT NULL,
              loaded_before TEXT, loaded_before_hash TEXT, loaded_before_source TEXT,
              loaded_before_plan TEXT, loaded_before_at TEXT,
              PRIMARY KEY (plan_hash, seq)
            )
            """,
        ]
        return sql
    }()

    /// The customer columns of schema version 3 (persons), added by ``upgrade(_:from:)`` to older targets.
    static let personColumns = [
        "category TEXT CHECK (category IS NULL OR category IN ('person', 'organization'))",
        "title TEXT", "first_name TEXT", "last_name TEXT",
        "birth_date TEXT CHECK (birth_date IS NULL OR birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')",
    ]

    static let identifierTable = """
        CREATE TABLE identifier (
          customer_id TEXT NOT NULL REFERENCES customer(customer_id) ON DELETE CASCADE,
          identifier_id TEXT NOT NULL,
          type TEXT NOT NULL CHECK (type <> ''),
          country TEXT CHECK (country IS NULL OR (length(country) = 2 AND country GLOB '[A-Z][A-Z]')),
          value TEXT NOT NULL CHECK (value <> ''),
          PRIMARY KEY (customer_id, identifier_id)
        ) WITHOUT ROWID
        """

    /// Brings a target of an older readable version to this one, in one transaction: version 2 keeps
    /// which plan loaded a customer before, so a rollback restores that too; version 3 adds the person
    /// columns and the identifier table (existing rows keep their values; the new ones are NULL).
    static func upgrade(_ db: Database, from version: Int) throws {
        if version < 3 {
            let columns = try db.columns(in: "customer").map(\.name)
            for column in personColumns where !columns.contains(String(column.prefix { $0 != " " })) {
                try db.execute(sql: "ALTER TABLE customer ADD COLUMN \(column)")
            }
            if try !db.tableExists("identifier") {
                try db.execute(sql: identifierTable)
                try db.execute(sql: "CREATE INDEX identifier_by_value ON identifier(type, value)")
            }
        }
        if version < 2 {
            let columns = try db.columns(in: "custmig_undo").map(\.name)
            for column in ["loaded_before_plan", "loaded_before_at"] where !columns.contains(column) {
                try db.execute(sql: "ALTER TABLE custmig_undo ADD COLUMN \(column) TEXT")
            }
        }
        try db.execute(
            sql: "UPDATE custmig_meta SET value = ? WHERE key = 'schema_version'",
            arguments: [String(TargetSchema.version)])
    }

    /// Creates the schema in an empty database, with its name, version and a random instance id.
    static func create(_ db: Database, instance: String, createdAt: String) throws {
        for statement in statements { try db.execute(sql: statement) }
        for (key, value) in [
            ("schema", TargetSchema.name), ("schema_version", String(TargetSchema.version)), ("instance", instance),
            ("created_at", createdAt),
        ] {
            try db.execute(sql: "INSERT INTO custmig_meta (key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }
}
