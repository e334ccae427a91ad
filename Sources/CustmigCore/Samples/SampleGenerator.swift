import Foundation

/// Generates realistic, dirty legacy customer extracts of any size: the same bytes for the same seed.
///
/// One stream of customers is rendered twice: as a flat CSV the way an AS/400 or home-grown system
/// exports it (windows-1252, `;`, decimal commas, `dd.mm.yyyy`, CRLF) and as SAP DEBMAS07 IDoc XML.
/// About 3% of customers get a near-duplicate later in the file (legal-form spelling, abbreviated
/// street, a typo, a missing VAT id, another phone format); `ground-truth.csv` lists each pair.
/// A few records are outright broken. Mess is drawn per customer, so CSV and XML differ in it.
public struct SampleGenerator {
    public let options: SampleOptions

    public init(options: SampleOptions) { self.options = options }

    public static let csvColumns = [
        "CUSTNO", "NAME1", "NAME2", "STREET", "ZIP", "CITY", "COUNTRY", "PHONE", "FAX", "EMAIL", "VAT_ID", "LANG",
        "CURRENCY", "PAY_TERMS", "CREDIT_LIMIT", "CREATED", "BLOCKED", "DELETED", "PARENT_NO", "ACCOUNT_GROUP",
        "SALES_ORG", "CHANNEL", "DIVISION", "INCOTERMS", "IBAN", "CONTACT_NAME", "CONTACT_PHONE", "CONTACT_EMAIL",
        "INDUSTRY",
    ]

    /// Writes `customers.csv`, `debmas07.xml`, the SAP table downloads (as asked) and `ground-truth.csv`
    /// into `directory`. `command` writes them again: Ctrl-C stops between two progress reports and
    /// removes the files begun, since a cut extract (an XML document never closed) is not one to test with.
    public func write(
        to directory: String, command: String = "custmig samples", progress: ProgressHandler? = nil
    ) throws -> SampleOutput {
        var csv: SampleCSVWriter?
        var xml: SampleXMLWriter?
        var begun: [String] = []
        func stopIfAsked(_ done: Int) throws {
            guard Interruption.requested else { return }
            for path in begun { try? FileManager.default.removeItem(atPath: path) }
            try Interruption.check(
                kept: "nothing: \(done) of \(options.rows) records were written, and the files begun were removed ("
                    + begun.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ") + ")",
                resume: "run `\(command)` again; the same seed writes the same bytes.")
        }
        if options.formats.contains(.csv) {
            csv = try SampleCSVWriter(path: directory + "/customers.csv", options: options)
            begun.append(directory + "/customers.csv")
        }
        if options.formats.contains(.xml) {
            xml = try SampleXMLWriter(path: directory + "/debmas07.xml", seed: options.seed)
            begun.append(directory + "/debmas07.xml")
        }
        let tables = options.sapTables ? try SampleTablesWriter(directory: directory, seed: options.seed) : nil
        begun += tables?.paths.map(\.path) ?? []
        var files: [(String, Int, Int64)] = []
        var duplicates = 0
        if options.persons {
            var persons = try SamplePersonsWriter(directory: directory, rows: options.rows, seed: options.seed)
            begun += [persons.output.path, persons.truth.path]
            for row in 0..<options.rows {
                try persons.writeNext()
                if row & 0x3FFF == 0x3FFF {
                    progress?(
                        StageProgress("persons", done: Int64(row + 1), total: Int64(options.rows), unit: .records))
                    try stopIfAsked(row + 1)
                }
            }
            files += try persons.finish()
            duplicates += persons.duplicates
        }
        guard csv != nil || xml != nil || tables != nil else {
            return SampleOutput(files: files, duplicates: duplicates, broken: 0)
        }
        let personDuplicates = duplicates
        let truth = try FileOutput(path: directory + "/ground-truth.csv")
        begun.append(truth.path)
        try truth.write("duplicate_key,original_key,variation\n")
        var random = SampleRandom(seed: options.seed)
        var pending: [(due: Int, customer: SampleCustomer)] = []
        var emitted = 0
        var originals = 0
        var broken = 0
        while emitted < options.rows {
            var customer: SampleCustomer
            if let slot = pending.firstIndex(where: { $0.due <= emitted }) {
                customer = pending.remove(at: slot).customer
                customer.key = 100_000 + emitted
                try truth.write("\(customer.key),\(customer.duplicateOf ?? 0),\(customer.variation)\n")
                duplicates += 1
            } else {
                customer = makeCustomer(&random, index: originals, key: 100_000 + emitted)
                originals += 1
                if random.chance(options.duplicateShare) {
                    pending.append(
                        (
                            emitted + 1 + random.below(min(400, options.rows / 20 + 2)),
                            makeDuplicate(of: customer, &random)
                        ))
                }
            }
            if customer.parent == nil && emitted > 10 && random.chance(0.05) {
                customer.parent = 100_000 + random.below(emitted)
            }
            let isBroken = random.chance(options.brokenShare)
            if isBroken { broken += 1 }
            try csv?.write(customer, broken: isBroken)
            try xml?.write(customer, broken: isBroken)
            try tables?.write(customer, broken: isBroken)
            emitted += 1
            if emitted & 0x3FFF == 0 {
                progress?(StageProgress("samples", done: Int64(emitted), total: Int64(options.rows), unit: .records))
                try stopIfAsked(emitted)
            }
        }
        if let csv { files.append((csv.output.path, emitted, try csv.finish())) }
        if let xml { files.append((xml.output.path, emitted, try xml.finish())) }
        if let tables { files += try tables.finish() }
        try truth.close()
        files.append((truth.path, duplicates - personDuplicates, truth.bytesWritten))
        return SampleOutput(files: files, duplicates: duplicates, broken: broken)
    }

    private func makeCustomer(_ random: inout SampleRandom, index: Int, key: Int) -> SampleCustomer {
        let countries = SampleCountry.all
        let country = random.chance(0.4) ? countries[0] : random.pick(countries)
        let (city, postalPrefix, area) = random.pick(country.cities)
        let brand: String
        switch random.below(3) {
        case 0:
            brand = random.pick(SampleVocabulary.surnames)
        case 1:
            brand = random.pick(SampleVocabulary.surnames) + " & " + random.pick(SampleVocabulary.surnames)
        default:
            var word = ""
            for _ in 0..<(2 + random.below(2)) { word += random.pick(SampleVocabulary.syllables) }
            brand = word.prefix(1).uppercased() + word.dropFirst()
        }
        let (industry, industryCode) = random.pick(SampleVocabulary.industries)
        let legal = random.pick(country.legalForms)
        let name = "\(brand) \(industry) \(legal)"
        let slug = String(
            brand.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic && $0.isASCII }.map(Character.init))
        let domain =
            (slug.isEmpty ? "firma" : slug) + "-" + industry.lowercased().prefix(4) + "." + country.iso2.lowercased()
        let postal: String
        if country.postalDigits == 0 {
            postal =
                "\(postalPrefix)\(1 + random.below(20)) \(random.below(10))\(["AB", "XY", "JQ", "NP"][random.below(4)])"
        } else {
            postal = postalPrefix + random.digits(max(0, country.postalDigits - postalPrefix.count))
        }
        var contacts: [(String, String, String, String)] = []
        for _ in 0..<random.below(3) {
            let first = random.pick(SampleVocabulary.firstNames)
            let last = random.pick(SampleVocabulary.surnames)
            contacts.append(
                (
                    first, last, country.subscriber(after: area, &random),
                    "\(first.prefix(1)).\(last)@\(domain)".lowercased()
                ))
        }
        var areas: [(String, String, String)] = [("1000", "10", "00")]
        if random.chance(0.3) { areas.append(("1000", "20", "00")) }
        if random.chance(0.15) { areas.append(("2000", "10", "01")) }
        return SampleCustomer(
            key: key, name: name,
            name2: random.chance(0.15) ? random.pick(["Niederlassung Süd", "Zentrale", "c/o Lager 3", "Werk II"]) : "",
            street: random.pick(country.streets), houseNumber: String(1 + random.below(180)), postalCode: postal,
            city: city, country: country, phoneSubscriber: country.subscriber(after: area, &random), areaCode: area,
            email: random.pick(["info", "office", "einkauf", "buchhaltung", "sales"]) + "@" + domain,
            vat: SampleTaxIDs.vat(country, &random), paymentTerm: random.pick(SampleVocabulary.legacyPaymentTerms),
            creditLimit: random.chance(0.2) ? 0 : (1 + random.below(500)) * 500,
            created: (1995 + random.below(31), 1 + random.below(12), 1 + random.below(28)),
            blocked: random.chance(0.04), deleted: random.chance(0.02), parent: nil,
            accountGroup: random.pick(SampleVocabulary.accountGroups), salesAreas: areas,
            incoterms: random.pick(SampleVocabulary.incoterms), iban: SampleTaxIDs.iban(country, &random),
            contacts: contacts, industry: industryCode)
    }

    private func makeDuplicate(of original: SampleCustomer, _ random: inout SampleRandom) -> SampleCustomer {
        var copy = original
        copy.duplicateOf = original.key
        copy.parent = nil
        var changes: [String] = []
        let legalVariants: [String: [String]] = [
            "GmbH": ["G.m.b.H.", "Gmbh", "GMBH", "Ges.m.b.H."], "AG": ["A.G.", "Aktiengesellschaft"],
            "Ltd": ["Limited", "Ltd."], "Ltd.": ["Limited", "LTD"], "Inc.": ["Inc", "Incorporated"],
            "S.r.l.": ["SRL", "Srl"], "SARL": ["S.A.R.L.", "Sarl"], "B.V.": ["BV"], "S.L.": ["SL"],
        ]
        for (form, variants) in legalVariants where copy.name.hasSuffix(" " + form) && random.chance(0.7) {
            copy.name = String(copy.name.dropLast(form.count)) + random.pick(variants)
            changes.append("legal-form")
            break
        }
        if random.chance(0.4) {
            var characters = Array(copy.name)
            let position = 1 + random.below(max(1, min(characters.count - 3, 12)))
            if position + 1 < characters.count, characters[position] != " ", characters[position + 1] != " " {
                characters.swapAt(position, position + 1)
                copy.name = String(characters)
                changes.append("typo")
            }
        }
        if random.chance(0.3) { copy.name = copy.name.uppercased(); changes.append("case") }
        if copy.street.hasSuffix("straße") && random.chance(0.6) {
            copy.street = String(copy.street.dropLast(6)) + random.pick(["str.", "strasse", "Str."])
            changes.append("street")
        }
        if random.chance(0.5) { copy.vat = ""; changes.append("no-vat") }
        if random.chance(0.4) { copy.email = ""; changes.append("no-email") }
        if random.chance(0.3) { copy.phoneSubscriber = ""; changes.append("no-phone") }
        if random.chance(0.3) { copy.contacts = []; changes.append("no-contacts") }
        if changes.isEmpty {
            copy.name = copy.name.replacingOccurrences(of: " ", with: "  "); changes.append("spacing")
        }
        copy.variation = changes.joined(separator: "+")
        return copy
    }
}
