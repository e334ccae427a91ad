/// Renders sample customers as SAP DEBMAS07 IDocs in one XML file (UTF-8).
///
/// Each customer is an `IDOC` with its `EDI_DC40` control record and an `E1KNA1M` segment holding
/// sales areas (`E1KNVVM` with partner functions `E1KNVPM`), company codes (`E1KNB1M`), bank details
/// (`E1KNBKM`) and contacts (`E1KNVKM`). About 0.5% of customers are sent again as a change IDoc
/// (`MSGFN` 004, a higher `DOCNUM`), as real change pointers do.
final class SampleXMLWriter {
    let output: FileOutput
    private let seed: UInt64
    private var docnum = 4_711_000
    private(set) var records = 0
    private var text = ""

    init(path: String, seed: UInt64) throws {
        output = try FileOutput(path: path)
        self.seed = seed
        try output.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DEBMAS07>\n")
    }

    func write(_ customer: SampleCustomer, broken: Bool) throws {
        var random = SampleRandom(seed: seed ^ (UInt64(customer.key) &* 0x9E6C_63D0_676A_9A99))
        try writeIDoc(customer, change: false, broken: broken, &random)
        if random.chance(0.005) {
            var changed = customer
            changed.phoneSubscriber = customer.country.subscriber(after: customer.areaCode, &random)
            try writeIDoc(changed, change: true, broken: false, &random)
        }
    }

    func finish() throws -> Int64 {
        try output.write("</DEBMAS07>\n")
        try output.close()
        return output.bytesWritten
    }

    private func writeIDoc(_ customer: SampleCustomer, change: Bool, broken: Bool, _ random: inout SampleRandom) throws
    {
        docnum += 1
        records += 1
        let kunnr = alpha(customer.key)
        text.removeAll(keepingCapacity: true)
        text += "<IDOC BEGIN=\"1\">\n<EDI_DC40 SEGMENT=\"1\">"
        leaf("TABNAM", "EDI_DC40")
        leaf("MANDT", "100")
        leaf("DOCNUM", String(repeating: "0", count: 16 - String(docnum).count) + String(docnum))
        leaf("STATUS", "30")
        leaf("DIRECT", "1")
        leaf("IDOCTYP", "DEBMAS07")
        leaf("MESTYP", "DEBMAS")
        leaf("SNDPOR", "SAPECC")
        leaf("SNDPRN", "ECCCLNT100")
        leaf("RCVPOR", "XMLCUSTMIG")
        leaf("RCVPRN", "CUSTMIG")
        leaf("CREDAT", "20261120")
        leaf("CRETIM", "10" + SampleMess.twoDigits(random.below(60)) + SampleMess.twoDigits(random.below(60)))
        text += "</EDI_DC40>\n<E1KNA1M SEGMENT=\"1\">"
        leaf("MSGFN", change ? "004" : "005")
        leaf("KUNNR", broken && random.chance(0.3) ? "" : kunnr)
        leaf("KTOKD", customer.accountGroup)
        leaf("LAND1", broken && random.chance(0.3) ? "XX" : customer.country.iso2)
        leaf("NAME1", broken && random.chance(0.4) ? "" : SampleMess.name(customer.name, &random))
        leaf("NAME2", customer.name2)
        leaf("ORT01", customer.city)
        leaf("PSTLZ", customer.postalCode)
        leaf("STRAS", customer.street + " " + customer.houseNumber)
        leaf("TELF1", SampleMess.phone(customer, subscriber: customer.phoneSubscriber, &random))
        if random.chance(0.2) {
            leaf("TELFX", SampleMess.phone(customer, subscriber: customer.phoneSubscriber, &random))
        }
        leaf("SPRAS", SampleVocabulary.sapLanguage[customer.country.language] ?? "E")
        leaf("SPRAS_ISO", customer.country.language)
        leaf("STCEG", SampleMess.vat(customer.vat, &random))
        leaf("LOEVM", customer.deleted ? "X" : "")
        leaf("SPERR", customer.blocked ? "X" : "")
        leaf("BRSCH", customer.industry)
        let created = customer.created
        leaf(
            "ERDAT",
            broken
                ? "00000000"
                : "\(created.year)\(SampleMess.twoDigits(created.month))\(SampleMess.twoDigits(created.day))")
        if let parent = customer.parent { leaf("KONZS", alpha(parent)) }
        text += "\n"
        for (areaIndex, area) in customer.salesAreas.enumerated() {
            text += "<E1KNVVM SEGMENT=\"1\">"
            leaf("MSGFN", "005")
            leaf("VKORG", area.org)
            leaf("VTWEG", area.channel)
            leaf("SPART", area.division)
            leaf("WAERS", customer.country.currency)
            leaf("ZTERM", customer.paymentTerm)
            leaf("INCO1", customer.incoterms)
            leaf("INCO2", customer.city)
            leaf("KDGRP", "0" + String(1 + random.below(5)))
            for function in areaIndex == 0 ? ["AG", "RE", "RG", "WE"] : ["AG"] {
                text += "<E1KNVPM SEGMENT=\"1\">"
                leaf("PARVW", function)
                let partner = function == "RG" ? (customer.parent ?? customer.key) : customer.key
                leaf("KUNN2", alpha(partner))
                text += "</E1KNVPM>"
            }
            text += "</E1KNVVM>\n"
        }
        for companyCode in customer.salesAreas.contains(where: { $0.org == "2000" }) ? ["1000", "2000"] : ["1000"] {
            text += "<E1KNB1M SEGMENT=\"1\">"
            leaf("MSGFN", "005")
            leaf("BUKRS", companyCode)
            leaf("AKONT", "0000140000")
            leaf("ZTERM", customer.paymentTerm)
            text += "</E1KNB1M>\n"
        }
        let iban = SampleMess.iban(customer.iban, &random)
        if !iban.isEmpty {
            text += "<E1KNBKM SEGMENT=\"1\">"
            leaf("BANKS", customer.country.iso2)
            leaf("BANKL", String(iban.filter { $0 != " " }.dropFirst(4).prefix(8)))
            leaf("BANKN", String(iban.filter { $0 != " " }.suffix(10)))
            leaf("IBAN", iban)
            text += "</E1KNBKM>\n"
        }
        for (index, contact) in customer.contacts.enumerated() {
            text += "<E1KNVKM SEGMENT=\"1\">"
            leaf("MSGFN", "005")
            leaf("PARNR", String(customer.key * 10 + index))
            leaf("NAMEV", contact.first)
            leaf("NAME1", contact.last)
            leaf("TELF1", SampleMess.phone(customer, subscriber: contact.phone, &random))
            leaf("SMTP_ADDR", SampleMess.email(contact.email, &random))
            text += "</E1KNVKM>\n"
        }
        text += "</E1KNA1M>\n</IDOC>\n"
        try output.write(text)
    }

    private func alpha(_ key: Int) -> String {
        let digits = String(key)
        return String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    private func leaf(_ name: String, _ value: String) {
        if value.isEmpty {
            text += "<\(name)/>"
            return
        }
        text += "<\(name)>"
        for character in value.unicodeScalars {
            switch character {
            case "&": text += "&amp;"
            case "<": text += "&lt;"
            case ">": text += "&gt;"
            case "\n": text += "&#10;"
            default: text.unicodeScalars.append(character)
            }
        }
        text += "</\(name)>"
    }
}
