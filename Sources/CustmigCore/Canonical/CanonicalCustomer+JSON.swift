/// A fast JSON writer for the ledger: the same document `JSONEncoder` writes for the `Codable`
/// conformance (sorted keys, nil values left out), so `JSONDecoder` reads it back, at a fraction of
/// the cost (the encoder dominated the map stage's writes).
struct JSONObjectWriter {
    private(set) var text = "{"
    private var first = true

    private mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        RecordJSON.appendString(name, to: &text)
        text += ":"
    }

    mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        RecordJSON.appendString(value, to: &text)
    }

    mutating func strings(_ name: String, _ values: [String]) {
        key(name)
        text += "["
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            RecordJSON.appendString(value, to: &text)
        }
        text += "]"
    }

    mutating func dictionary(_ name: String, _ values: [String: String]) {
        key(name)
        var object = JSONObjectWriter()
        for (entry, value) in values.sorted(by: { $0.key < $1.key }) { object.string(entry, value) }
        text += object.finished
    }

    mutating func objects(_ name: String, _ values: [String]) {
        key(name)
        text += "[" + values.joined(separator: ",") + "]"
    }

    var finished: String { text + "}" }
}

extension CanonicalCustomer {
    /// The customer as JSON, keys sorted as `JSONEncoder` with `.sortedKeys` writes them.
    var jsonText: String {
        var writer = JSONObjectWriter()
        writer.string("accountGroup", accountGroup)
        writer.objects("addresses", addresses.map(\.jsonText))
        writer.objects("bankAccounts", bankAccounts.map(\.jsonText))
        writer.dictionary("blocks", blocks)
        writer.objects("companyCodes", companyCodes.map(\.jsonText))
        writer.objects("contacts", contacts.map(\.jsonText))
        writer.string("createdOn", createdOn)
        writer.string("creditLimit", creditLimit)
        writer.string("currency", currency)
        writer.string("industry", industry)
        writer.string("key", key)
        writer.string("language", language)
        writer.string("legacyKey", legacyKey)
        writer.strings("names", names)
        writer.string("parentKey", parentKey)
        writer.string("paymentTerms", paymentTerms)
        writer.objects("salesAreas", salesAreas.map(\.jsonText))
        writer.string("searchTerm", searchTerm)
        writer.string("status", status.rawValue)
        writer.dictionary("taxNumbers", taxNumbers)
        writer.string("vatId", vatId)
        return writer.finished
    }
}

extension Address {
    var jsonText: String {
        var writer = JSONObjectWriter()
        writer.string("city", city)
        writer.string("country", country)
        writer.string("houseNumber", houseNumber)
        writer.string("kind", kind.rawValue)
        writer.string("poBox", poBox)
        writer.string("postalCode", postalCode)
        writer.string("region", region)
        writer.string("street", street)
        return writer.finished
    }
}

extension Contact {
    var jsonText: String {
        var writer = JSONObjectWriter()
        writer.string("department", department)
        writer.string("email", email)
        writer.string("firstName", firstName)
        writer.string("function", function)
        writer.string("id", id)
        writer.string("lastName", lastName)
        writer.string("phone", phone)
        return writer.finished
    }
}

extension SalesArea {
    var jsonText: String {
        var writer = JSONObjectWriter()
        writer.string("currency", currency)
        writer.string("customerGroup", customerGroup)
        writer.string("distributionChannel", distributionChannel)
        writer.string("division", division)
        writer.string("incoterms", incoterms)
        writer.string("incotermsLocation", incotermsLocation)
        writer.objects("partners", partners.map(\.jsonText))
        writer.string("paymentTerms", paymentTerms)
        writer.string("salesOrganization", salesOrganization)
        return writer.finished
    }
}

extension PartnerFunction {
    var jsonText: String {
        var writer = JSONObjectWriter()
        writer.string("customerKey", customerKey)
        writer.string("role", role.rawValue)
        return writer.finished
    }
}

extension CompanyCode {
    var jsonText: String {
        var writer = JSONObjectWriter()
        writer.string("companyCode", companyCode)
        writer.string("paymentTerms", paymentTerms)
        writer.string("reconciliationAccount", reconciliationAccount)
        return writer.finished
    }
}

extension BankAccount {
    var jsonText: String {
        var writer = JSONObjectWriter()
        writer.string("accountNumber", accountNumber)
        writer.string("bankCountry", bankCountry)
        writer.string("bankKey", bankKey)
        writer.string("holder", holder)
        writer.string("iban", iban)
        return writer.finished
    }
}
