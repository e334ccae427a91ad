/// Renders sample customers as SAP table downloads, the way SE16N's "text with tabs" export writes them
/// with technical field names: `KNA1.txt` (general data), `KNVV.txt` (sales areas), `KNVP.txt` (partner
/// functions per sales area), `KNB1.txt` (company codes), `KNBK.txt` (bank details) and `KNVK.txt`
/// (contact persons); UTF-8, tab-separated, CRLF, one
/// header line, keys in SAP's internal form (`0000100042`), dates as `yyyyMMdd`.
///
/// The same customers as the IDoc sample, with the same kinds of mess, plus what table downloads add:
/// a broken customer's general data row is missing while its sales-area and company-code rows are
/// there (orphans, as when KNA1 was downloaded with a narrower selection than KNVV).
final class SampleTablesWriter {
    static let tables: [(name: String, columns: [String])] = [
        (
            "KNA1",
            [
                "MANDT", "KUNNR", "KTOKD", "LAND1", "NAME1", "NAME2", "ORT01", "PSTLZ", "STRAS", "TELF1", "TELFX",
                "SPRAS", "STCEG", "LOEVM", "SPERR", "BRSCH", "ERDAT", "KONZS",
            ]
        ),
        ("KNVV", ["MANDT", "KUNNR", "VKORG", "VTWEG", "SPART", "WAERS", "ZTERM", "INCO1", "INCO2", "KDGRP"]),
        ("KNVP", ["MANDT", "KUNNR", "VKORG", "VTWEG", "SPART", "PARVW", "PARZA", "KUNN2"]),
        ("KNB1", ["MANDT", "KUNNR", "BUKRS", "AKONT", "ZTERM"]),
        ("KNBK", ["MANDT", "KUNNR", "BANKS", "BANKL", "BANKN", "IBAN"]),
        ("KNVK", ["MANDT", "PARNR", "KUNNR", "NAMEV", "NAME1", "TELF1", "SMTP_ADDR"]),
    ]

    private var outputs: [String: FileOutput] = [:]
    private let seed: UInt64
    private(set) var rows: [String: Int] = [:]
    private var line: [UInt8] = []

    init(directory: String, seed: UInt64) throws {
        self.seed = seed
        for table in Self.tables {
            let output = try FileOutput(path: directory + "/\(table.name).txt")
            outputs[table.name] = output
            try emit(table.columns, to: output)
        }
    }

    var paths: [(table: String, path: String)] {
        Self.tables.compactMap { table in outputs[table.name].map { (table.name, $0.path) } }
    }

    func write(_ customer: SampleCustomer, broken: Bool) throws {
        var random = SampleRandom(seed: seed ^ (UInt64(customer.key) &* 0xD6E8_FEB8_6659_FD93))
        let kunnr = Self.alpha(customer.key)
        let created = customer.created
        if !broken || random.chance(0.5) {
            try row(
                "KNA1",
                [
                    "100", broken && random.chance(0.3) ? "" : kunnr, customer.accountGroup, customer.country.iso2,
                    broken ? "" : SampleMess.name(customer.name, &random), customer.name2, customer.city,
                    customer.postalCode,
                    customer.street + " " + customer.houseNumber,
                    SampleMess.phone(customer, subscriber: customer.phoneSubscriber, &random),
                    random.chance(0.2) ? SampleMess.phone(customer, subscriber: customer.phoneSubscriber, &random) : "",
                    SampleVocabulary.sapLanguage[customer.country.language] ?? "E",
                    SampleMess.vat(customer.vat, &random),
                    customer.deleted ? "X" : "", customer.blocked ? "X" : "", customer.industry,
                    broken
                        ? "00000000"
                        : "\(created.year)\(SampleMess.twoDigits(created.month))\(SampleMess.twoDigits(created.day))",
                    customer.parent.map(Self.alpha) ?? "",
                ])
        }
        for (areaIndex, area) in customer.salesAreas.enumerated() {
            try row(
                "KNVV",
                [
                    "100", kunnr, area.org, area.channel, area.division, customer.country.currency,
                    customer.paymentTerm,
                    customer.incoterms, customer.city, "0" + String(1 + random.below(5)),
                ])
            // The partner functions the IDoc sample carries: all four in the first sales area.
            for function in areaIndex == 0 ? ["AG", "RE", "RG", "WE"] : ["AG"] {
                let partner = function == "RG" ? (customer.parent ?? customer.key) : customer.key
                try row(
                    "KNVP", ["100", kunnr, area.org, area.channel, area.division, function, "000", Self.alpha(partner)])
            }
        }
        for companyCode in customer.salesAreas.contains(where: { $0.org == "2000" }) ? ["1000", "2000"] : ["1000"] {
            try row("KNB1", ["100", kunnr, companyCode, "0000140000", customer.paymentTerm])
        }
        let iban = SampleMess.iban(customer.iban, &random)
        if !iban.isEmpty {
            let compact = iban.filter { $0 != " " }
            try row(
                "KNBK",
                [
                    "100", kunnr, customer.country.iso2, String(compact.dropFirst(4).prefix(8)),
                    String(compact.suffix(10)), iban,
                ])
        }
        for (index, contact) in customer.contacts.enumerated() {
            try row(
                "KNVK",
                [
                    "100", String(customer.key * 10 + index), kunnr, contact.first, contact.last,
                    SampleMess.phone(customer, subscriber: contact.phone, &random),
                    SampleMess.email(contact.email, &random),
                ])
        }
    }

    /// Closes every file; returns each table's path, rows and bytes.
    func finish() throws -> [(path: String, records: Int, bytes: Int64)] {
        var result: [(String, Int, Int64)] = []
        for table in Self.tables {
            guard let output = outputs[table.name] else { continue }
            try output.close()
            result.append((output.path, rows[table.name] ?? 0, output.bytesWritten))
        }
        return result
    }

    static func alpha(_ key: Int) -> String {
        let digits = String(key)
        return String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    private func row(_ table: String, _ fields: [String]) throws {
        guard let output = outputs[table] else { return }
        rows[table, default: 0] += 1
        try emit(fields, to: output)
    }

    /// SE16N writes values as they are: a tab or line break inside one is replaced by a space.
    private func emit(_ fields: [String], to output: FileOutput) throws {
        line.removeAll(keepingCapacity: true)
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(0x09) }
            for byte in field.utf8 { line.append(byte == 0x09 || byte == 0x0A || byte == 0x0D ? 0x20 : byte) }
        }
        line.append(contentsOf: [13, 10])
        try output.write(bytes: line)
    }
}
