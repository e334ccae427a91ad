import Foundation

/// Renders sample customers as a flat legacy CSV (windows-1252, `;`, CRLF by default).
final class SampleCSVWriter {
    let output: FileOutput
    private let options: SampleOptions
    private let encoder: SingleByteEncoder?
    private let delimiter: Character
    private var line: [UInt8] = []

    init(path: String, options: SampleOptions) throws {
        output = try FileOutput(path: path)
        self.options = options
        encoder = options.csvEncoding.isSingleByte ? SingleByteEncoder(options.csvEncoding) : nil
        delimiter = Character(UnicodeScalar(options.csvDelimiter))
        try emit(SampleGenerator.csvColumns.map { $0 })
    }

    func write(_ customer: SampleCustomer, broken: Bool) throws {
        var random = SampleRandom(seed: options.seed ^ (UInt64(customer.key) &* 0x2545_F491_4F6C_DD1D))
        let contact = customer.contacts.first
        let area = customer.salesAreas[0]
        var fields: [String] = []
        fields.reserveCapacity(SampleGenerator.csvColumns.count)
        fields.append(String(customer.key))
        fields.append(SampleMess.name(customer.name, &random))
        fields.append(customer.name2)
        fields.append(customer.street + " " + customer.houseNumber)
        fields.append(customer.postalCode)
        fields.append(customer.city)
        fields.append(SampleMess.country(customer.country, &random))
        fields.append(SampleMess.phone(customer, subscriber: customer.phoneSubscriber, &random))
        let fax = random.chance(0.3) ? SampleMess.phone(customer, subscriber: customer.phoneSubscriber, &random) : ""
        fields.append(fax)
        fields.append(SampleMess.email(customer.email, &random))
        fields.append(SampleMess.vat(customer.vat, &random))
        let language = customer.country.language
        fields.append(random.chance(0.9) ? language : language.lowercased())
        fields.append(random.chance(0.95) ? customer.country.currency : "")
        fields.append(customer.paymentTerm)
        fields.append(SampleMess.legacyAmount(customer.creditLimit, &random))
        fields.append(SampleMess.legacyDate(customer.created, &random))
        fields.append(SampleMess.flag(customer.blocked, &random))
        fields.append(SampleMess.flag(customer.deleted, &random))
        fields.append(customer.parent.map { String($0) } ?? "")
        fields.append(customer.accountGroup)
        fields.append(area.org)
        fields.append(area.channel)
        fields.append(area.division)
        fields.append(customer.incoterms)
        fields.append(SampleMess.iban(customer.iban, &random))
        if let contact {
            let name: String = random.chance(0.5) ? contact.last + ", " + contact.first : contact.first + " " + contact.last
            fields.append(name)
            fields.append(SampleMess.phone(customer, subscriber: contact.phone, &random))
            fields.append(SampleMess.email(contact.email, &random))
        } else {
            fields.append(contentsOf: ["", "", ""])
        }
        fields.append(customer.industry)
        if random.chance(0.01) { fields[2] = "Lieferanschrift:\nTor 4, \"Rampe\" B" }
        guard broken else { return try emit(fields) }
        switch random.below(4) {
        case 0:
            // An unquoted delimiter inside a value: a ragged row.
            var raw = fields.map { quote($0) }
            raw[1] = fields[1] + String(delimiter) + " Zweigniederlassung"
            try emitRaw(raw)
        case 1:
            // A row cut short.
            try emitRaw(fields.prefix(12).map(quote))
        case 2:
            // Fixed-width padding with NUL bytes.
            fields[5] += "\u{0}\u{0}\u{0}"
            try emit(fields)
        default:
            if options.csvEncoding == .utf8 {
                // A latin-1 byte inside a UTF-8 file.
                try emit(fields, rawNameSuffix: [0xFC, 0x62, 0x65, 0x6C])
            } else {
                fields[0] = ""
                try emit(fields)
            }
        }
    }

    func finish() throws -> Int64 {
        try output.close()
        return output.bytesWritten
    }

    private func quote(_ value: String) -> String {
        let needsQuotes = value.contains(delimiter) || value.contains("\"") || value.contains("\n") || value.contains("\r")
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func emit(_ fields: [String], rawNameSuffix: [UInt8] = []) throws {
        line.removeAll(keepingCapacity: true)
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(options.csvDelimiter) }
            append(quote(field))
            if index == 1 { line.append(contentsOf: rawNameSuffix) }
        }
        try finishLine()
    }

    private func emitRaw(_ fields: [String]) throws {
        line.removeAll(keepingCapacity: true)
        append(fields.joined(separator: String(delimiter)))
        try finishLine()
    }

    private func append(_ text: String) {
        if let encoder { encoder.append(text, to: &line) } else { line.append(contentsOf: text.utf8) }
    }

    private func finishLine() throws {
        if options.csvEncoding == .utf8 {
            line.append(10)
        } else {
            line.append(contentsOf: [13, 10])
        }
        try output.write(bytes: line)
    }
}

/// Encodes text in a single-byte legacy encoding; characters it lacks become `?`, as legacy exports do.
struct SingleByteEncoder {
    private var table: [UInt32: UInt8] = [:]

    init(_ encoding: TextEncoding) {
        let decoder = SingleByteDecoder(encoding)
        for byte in 0..<256 { table[decoder.table[byte]] = UInt8(byte) }
    }

    func append(_ text: String, to out: inout [UInt8]) {
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                out.append(UInt8(scalar.value))
            } else {
                out.append(table[scalar.value] ?? UInt8(ascii: "?"))
            }
        }
    }
}
