import Crypto

/// A fast JSON writer for the ledger: the same document `JSONEncoder` writes for the `Codable`
/// conformance (sorted keys, nil values left out), so `JSONDecoder` reads it back, at a fraction of
/// the cost (the encoder, then string concatenation, dominated the map stage's writes). Writes UTF-8
/// bytes into one buffer; nested objects are written in place, never as separate strings.
struct JSONObjectWriter {
    private var bytes: [UInt8]
    private var first = true

    /// `capacity`: a canonical customer's document is 500-1,000 bytes; growing to it copied it three times.
    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    private init(continuing bytes: inout [UInt8]) {
        self.bytes = []
        swap(&self.bytes, &bytes)
        self.bytes.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ name: JSONKey) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        switch name.storage {
        case .literal(let literal):
            bytes.append(UInt8(ascii: "\""))
            literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
            bytes.append(UInt8(ascii: "\""))
        case .text(let text):
            JSONBytes.appendString(text, to: &bytes)
        }
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func string(_ name: JSONKey, _ value: String?) {
        guard let value else { return }
        key(name)
        JSONBytes.appendString(value, to: &bytes)
    }

    mutating func int(_ name: JSONKey, _ value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func strings(_ name: JSONKey, _ values: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONBytes.appendString(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func dictionary(_ name: JSONKey, _ values: [String: String]) {
        key(name)
        nested { object in
            for (entry, value) in values.sorted(by: { $0.key < $1.key }) { object.string(JSONKey(entry), value) }
        }
    }

    /// An array of already rendered JSON values.
    mutating func objects(_ name: JSONKey, _ values: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: value.utf8)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An array of objects, each written in place by `write`.
    mutating func objects<Element>(
        _ name: JSONKey, _ elements: [Element], _ write: (inout JSONObjectWriter, borrowing Element) -> Void
    ) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        // `write` borrows its element, but the array's subscript still copies it here (counted: an address's
        // strings retained once each); reading through the array's buffer took those copies out and measured
        // no faster, so the plain loop stays.
        for index in elements.indices {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            nested { write(&$0, elements[index]) }
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func nested(_ body: (inout JSONObjectWriter) -> Void) {
        var child = JSONObjectWriter(continuing: &bytes)
        body(&child)
        child.bytes.append(UInt8(ascii: "}"))
        swap(&bytes, &child.bytes)
    }

    var finished: String { String(decoding: finishedBytes, as: UTF8.self) }

    /// The finished document, this writer left open.
    var finishedBytes: [UInt8] {
        let copy = self
        return copy.close()
    }

    /// The finished document, made by closing this writer's own buffer instead of a copy of it.
    consuming func close() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}

/// An object key: a literal in the source (written as it is: every literal key is a plain identifier,
/// which needs no escaping, so it is not scanned for each document) or a text such as a dictionary's key.
struct JSONKey: ExpressibleByStringLiteral {
    enum Storage {
        case literal(StaticString)
        case text(String)
    }
    let storage: Storage

    init(stringLiteral value: StaticString) {
        assert(
            value.withUTF8Buffer { $0.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C } },
            "a literal JSON key needs no escaping")
        storage = .literal(value)
    }

    init(_ text: String) { storage = .text(text) }
}

/// JSON string literals as UTF-8 bytes: control characters, quotes and backslashes escaped, the rest as is.
enum JSONBytes {
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = text.utf8
        // Native strings expose their bytes: a plain value is checked and copied in one pass each.
        let appended = utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            for byte in buffer where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
            bytes.append(contentsOf: buffer)
            return true
        }
        if appended == true { return bytes.append(UInt8(ascii: "\"")) }
        if appended == nil && !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            bytes.append(contentsOf: utf8)
        } else {
            let hex = Array("0123456789abcdef".utf8)
            for byte in utf8 {
                switch byte {
                case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case ..<0x20:
                    bytes.append(contentsOf: Array("\\u00".utf8))
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0x0F)])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension CanonicalCustomer {
    /// The customer as JSON, keys sorted as `JSONEncoder` with `.sortedKeys` writes them.
    var jsonText: String { jsonWriter.finished }

    /// The record hash (``CustomerSet/recordHash(_:)``) of ``jsonText``, taken of the writer's bytes
    /// without making the text (the map hashes every record it stores).
    var recordHash: Hash128? {
        let bytes = jsonWriter.close()
        return SHA256.hash(data: bytes).withUnsafeBytes {
            Hash128(raw: UnsafeRawBufferPointer(rebasing: $0.prefix(16)))
        }
    }

    private var jsonWriter: JSONObjectWriter {
        var writer = JSONObjectWriter(capacity: 1024)
        writer.string("accountGroup", accountGroup)
        writer.objects("addresses", addresses) { $1.write(to: &$0) }
        writer.objects("bankAccounts", bankAccounts) { $1.write(to: &$0) }
        writer.string("birthDate", birthDate)
        writer.dictionary("blocks", blocks)
        writer.string("category", category?.rawValue)
        writer.objects("companyCodes", companyCodes) { $1.write(to: &$0) }
        writer.objects("contacts", contacts) { $1.write(to: &$0) }
        writer.string("createdOn", createdOn)
        writer.string("creditLimit", creditLimit)
        writer.string("currency", currency)
        writer.string("firstName", firstName)
        // Written only when there are some: records without keep the text (and hash) they had.
        if !identifiers.isEmpty { writer.objects("identifiers", identifiers) { $1.write(to: &$0) } }
        writer.string("industry", industry)
        writer.string("key", key)
        writer.string("language", language)
        writer.string("lastName", lastName)
        writer.string("legacyKey", legacyKey)
        writer.strings("names", names)
        writer.string("parentKey", parentKey)
        writer.string("paymentTerms", paymentTerms)
        writer.objects("salesAreas", salesAreas) { $1.write(to: &$0) }
        writer.string("searchTerm", searchTerm)
        writer.string("status", status.rawValue)
        writer.dictionary("taxNumbers", taxNumbers)
        writer.string("title", title)
        writer.string("vatId", vatId)
        return writer
    }
}

extension Address {
    func write(to writer: inout JSONObjectWriter) {
        writer.string("city", city)
        writer.string("country", country)
        writer.string("houseNumber", houseNumber)
        writer.string("kind", kind.rawValue)
        writer.string("poBox", poBox)
        writer.string("postalCode", postalCode)
        writer.string("region", region)
        writer.string("street", street)
    }

    var jsonText: String {
        var writer = JSONObjectWriter()
        write(to: &writer)
        return writer.finished
    }
}

extension Contact {
    func write(to writer: inout JSONObjectWriter) {
        writer.string("department", department)
        writer.string("email", email)
        writer.string("firstName", firstName)
        writer.string("function", function)
        writer.string("id", id)
        writer.string("lastName", lastName)
        writer.string("phone", phone)
    }

    var jsonText: String {
        var writer = JSONObjectWriter()
        write(to: &writer)
        return writer.finished
    }
}

extension SalesArea {
    func write(to writer: inout JSONObjectWriter) {
        writer.string("currency", currency)
        writer.string("customerGroup", customerGroup)
        writer.string("distributionChannel", distributionChannel)
        writer.string("division", division)
        writer.string("incoterms", incoterms)
        writer.string("incotermsLocation", incotermsLocation)
        writer.objects("partners", partners) { $1.write(to: &$0) }
        writer.string("paymentTerms", paymentTerms)
        writer.string("salesOrganization", salesOrganization)
    }

    var jsonText: String {
        var writer = JSONObjectWriter()
        write(to: &writer)
        return writer.finished
    }
}

extension PartnerFunction {
    func write(to writer: inout JSONObjectWriter) {
        writer.string("customerKey", customerKey)
        writer.string("role", role.rawValue)
    }

    var jsonText: String {
        var writer = JSONObjectWriter()
        write(to: &writer)
        return writer.finished
    }
}

extension CompanyCode {
    func write(to writer: inout JSONObjectWriter) {
        writer.string("companyCode", companyCode)
        writer.string("paymentTerms", paymentTerms)
        writer.string("reconciliationAccount", reconciliationAccount)
    }

    var jsonText: String {
        var writer = JSONObjectWriter()
        write(to: &writer)
        return writer.finished
    }
}

extension BankAccount {
    func write(to writer: inout JSONObjectWriter) {
        writer.string("accountNumber", accountNumber)
        writer.string("bankCountry", bankCountry)
        writer.string("bankKey", bankKey)
        writer.string("holder", holder)
        writer.string("iban", iban)
    }

    var jsonText: String {
        var writer = JSONObjectWriter()
        write(to: &writer)
        return writer.finished
    }
}

extension Identifier {
    func write(to writer: inout JSONObjectWriter) {
        writer.string("country", country)
        writer.string("type", type)
        writer.string("value", value)
    }
}
