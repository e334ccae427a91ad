import Foundation

/// The ways legacy data is messy, applied to one value at a time.
enum SampleMess {
    static func phone(_ customer: SampleCustomer, subscriber: String, _ random: inout SampleRandom) -> String {
        guard !subscriber.isEmpty, !random.chance(0.04) else { return "" }
        let country = customer.country
        let area = customer.areaCode
        let national = country.trunkPrefix == "1" ? area : country.trunkPrefix + area
        let split = subscriber.count / 2
        let head = String(subscriber.prefix(split))
        let tail = String(subscriber.dropFirst(split))
        if country.iso2 == "US" {
            let three = String(subscriber.prefix(3))
            let four = String((subscriber + "0000").dropFirst(3).prefix(4))
            switch random.below(4) {
            case 0: return "(\(area)) \(three)-\(four)"
            case 1: return "\(area).\(three).\(four)"
            case 2: return "+1 \(area) \(three) \(four)"
            default: return "1-\(area)-\(three)-\(four)"
            }
        }
        switch random.below(8) {
        case 0: return "+\(country.callingCode) \(area) \(subscriber)"
        case 1: return "\(national)/\(subscriber)"
        case 2: return "(\(national)) \(head) \(tail)"
        case 3: return "00\(country.callingCode)-\(area)-\(subscriber)"
        case 4: return "\(national) \(subscriber)"
        case 5: return country.trunkPrefix.isEmpty ? "+\(country.callingCode)\(area)\(subscriber)" : "+\(country.callingCode)(0)\(area) \(subscriber)"
        case 6: return "\(national)-\(head)-\(tail)"
        default: return "+\(country.callingCode)\(area)\(subscriber)"
        }
    }

    static func country(_ country: SampleCountry, _ random: inout SampleRandom) -> String {
        let roll = random.below(100)
        switch roll {
        case 0..<60: return country.iso2
        case 60..<70: return country.iso3
        case 70..<85: return random.pick(country.names)
        case 85..<90: return country.iso2.lowercased()
        case 90..<93: return country.numeric
        case 93..<95: return ""
        default: return country.iso2 + " "
        }
    }

    static func email(_ email: String, _ random: inout SampleRandom) -> String {
        guard !email.isEmpty else { return "" }
        let roll = random.below(100)
        switch roll {
        case 0..<2: return email.replacingOccurrences(of: "@", with: "(at)")
        case 2..<3: return String(email.prefix { $0 != "." }) + (email.contains("@") ? "" : "@")
        case 3..<4: return email.replacingOccurrences(of: "@", with: "@@")
        case 4..<10: return email.uppercased()
        case 10..<14: return email + " "
        case 14..<18: return ""
        default: return email
        }
    }

    static func vat(_ vat: String, _ random: inout SampleRandom) -> String {
        guard !vat.isEmpty else { return "" }
        switch random.below(100) {
        case 0..<8:
            var spaced = String(vat.prefix(2)) + " "
            for (offset, character) in vat.dropFirst(2).enumerated() {
                if offset > 0 && offset % 3 == 0 { spaced += " " }
                spaced.append(character)
            }
            return spaced
        case 8..<12: return vat.lowercased()
        case 12..<16: return String(vat.dropFirst(2))
        case 16..<24: return ""
        case 24..<26: return String(vat.dropLast(2))
        default: return vat
        }
    }

    static func iban(_ iban: String, _ random: inout SampleRandom) -> String {
        guard !iban.isEmpty, !random.chance(0.3) else { return "" }
        if random.chance(0.3) {
            var grouped = ""
            for (offset, character) in iban.enumerated() {
                if offset > 0 && offset % 4 == 0 { grouped += " " }
                grouped.append(character)
            }
            return grouped
        }
        return iban
    }

    static func name(_ name: String, _ random: inout SampleRandom) -> String {
        switch random.below(100) {
        case 0..<6: return name + "   "
        case 6..<9: return " " + name
        case 9..<12: return name.replacingOccurrences(of: " ", with: "  ")
        case 12..<13: return ""
        default: return name
        }
    }

    static func flag(_ value: Bool, _ random: inout SampleRandom) -> String {
        value ? random.pick(["X", "X", "X", "J", "1", "Y"]) : random.pick(["", "", "", "", "N", "0"])
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func legacyDate(_ date: (year: Int, month: Int, day: Int), _ random: inout SampleRandom) -> String {
        switch random.below(100) {
        case 0..<2: return "00.00.0000"
        case 2..<4: return ""
        case 4..<8: return "\(date.year)\(twoDigits(date.month))\(twoDigits(date.day))"
        default: return "\(twoDigits(date.day)).\(twoDigits(date.month)).\(date.year)"
        }
    }

    static func legacyAmount(_ amount: Int, _ random: inout SampleRandom) -> String {
        if random.chance(0.1) { return String(amount) }
        let thousands = amount / 1000
        let rest = amount % 1000
        let body = thousands > 0 ? "\(thousands).\(String(repeating: "0", count: 3 - String(rest).count))\(rest)" : "\(rest)"
        return body + ",00"
    }
}
