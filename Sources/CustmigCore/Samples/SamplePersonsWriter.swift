/// Writes `persons.csv`, a person customer master as utilities, telecoms and insurers export it (the
/// layout `Mappings/person-csv` reads), and `persons-ground-truth.csv`.
///
/// About a tenth of the persons come again later in the file, once or twice, with what keying by hand
/// and years of re-registration do to a record: typos in names, nicknames, initials, first and last
/// name swapped, a married name, a birth date with day and month swapped or a digit off, a mistyped or
/// missing identity number, an abbreviated street, a move, lost phones and e-mails. Households
/// (same last name and address, another first name and birth date) and twins (also the same birth
/// date) are there too, so a matcher that merges on name and address alone loses precision.
struct SamplePersonsWriter {
    static let columns = [
        "ACCOUNT", "TITLE", "FIRST_NAME", "LAST_NAME", "BIRTH_DATE", "STREET", "HOUSE_NO", "ZIP", "CITY", "COUNTRY",
        "PHONE", "EMAIL", "ID_TYPE", "ID_NUMBER", "ID_COUNTRY", "IBAN", "CREATED",
    ]

    struct Person {
        var key = 0
        var female: Bool
        var title: String
        var first: String
        var last: String
        var birth: (year: Int, month: Int, day: Int)?
        var street: String
        var houseNumber: String
        var postalCode: String
        var city: String
        var country: SampleCountry
        var countryText: String
        var phone: String
        var email: String
        var idNumber: String
        var iban: String
        var created: (year: Int, month: Int, day: Int)
        var duplicateOf: Int?
        var variation = ""
    }

    let output: FileOutput
    let truth: FileOutput
    private var random: SampleRandom
    private var pending: [(due: Int, person: Person)] = []
    private var emitted = 0
    private(set) var duplicates = 0
    private let rows: Int

    init(directory: String, rows: Int, seed: UInt64) throws {
        output = try FileOutput(path: directory + "/persons.csv")
        truth = try FileOutput(path: directory + "/persons-ground-truth.csv")
        // A stream of its own: adding persons changes no byte of the other files.
        random = SampleRandom(seed: seed &+ 0x5045_5253_4F4E)
        self.rows = rows
        try output.write(Self.columns.joined(separator: ";") + "\n")
        try truth.write("duplicate_key,original_key,variation\n")
    }

    static func key(_ number: Int) -> String { "P-\(1_000_000 + number)" }

    /// Writes the next person (a new one or a pending duplicate that is due).
    mutating func writeNext() throws {
        var person: Person
        if let slot = pending.firstIndex(where: { $0.due <= emitted }) {
            person = pending.remove(at: slot).person
            person.key = emitted
            // Relatives wait in the same queue (to live near their household) but are not duplicates.
            if let original = person.duplicateOf {
                try truth.write("\(Self.key(emitted)),\(Self.key(original)),\(person.variation)\n")
                duplicates += 1
            }
        } else {
            person = makePerson(key: emitted)
            if random.chance(0.1) {
                let copies = random.chance(0.25) ? 2 : 1
                for _ in 0..<copies {
                    pending.append((emitted + 1 + random.below(min(2_000, rows / 10 + 2)), makeDuplicate(of: person)))
                }
            }
            if random.chance(0.04) {
                pending.append((emitted + 1 + random.below(50), makeRelative(of: person, twin: random.chance(0.08))))
            }
        }
        try write(person)
        emitted += 1
    }

    mutating func finish() throws -> [(String, Int, Int64)] {
        try output.close()
        try truth.close()
        return [(output.path, emitted, output.bytesWritten), (truth.path, duplicates, truth.bytesWritten)]
    }

    // MARK: Making persons

    private mutating func makePerson(key: Int) -> Person {
        let country = random.chance(0.5) ? SampleCountry.all[0] : random.pick(SampleCountry.all)
        let female = random.chance(0.5)
        let first = random.pick(female ? SamplePersonNames.femaleFirst : SamplePersonNames.maleFirst)
        let last = surname()
        let (city, postalPrefix, area) = random.pick(country.cities)
        let birth = (1935 + random.below(70), 1 + random.below(12), 1 + random.below(28))
        let postal =
            country.postalDigits == 0
            ? "\(postalPrefix)\(1 + random.below(20)) \(random.below(10))\(["AB", "XY", "JQ", "NP"][random.below(4)])"
            : postalPrefix + random.digits(max(0, country.postalDigits - postalPrefix.count))
        let email =
            random.chance(0.6)
            ? "\(SamplePersonNames.ascii(first)).\(SamplePersonNames.ascii(last))\(random.chance(0.3) ? String(birth.0 % 100) : "")@"
                + random.pick(["example.com", "mail.example.org", "example.net", "post.example.eu"]) : ""
        return Person(
            key: key, female: female,
            title: random.chance(0.3) ? random.pick(female ? ["Ms", "Mrs", "Dr"] : ["Mr", "Dr"]) : "",
            first: first, last: last, birth: random.chance(0.93) ? birth : nil, street: random.pick(country.streets),
            houseNumber: String(1 + random.below(120)) + (random.chance(0.05) ? "a" : ""), postalCode: postal,
            city: city, country: country, countryText: random.chance(0.85) ? country.iso2 : random.pick(country.names),
            phone: random.chance(0.7) ? phone(country, area: area) : "", email: email,
            idNumber: random.chance(0.8) ? random.digits(9) : "",
            iban: random.chance(0.5) ? SampleTaxIDs.iban(country, &random) : "",
            created: (2000 + random.below(26), 1 + random.below(12), 1 + random.below(28)))
    }

    /// A common surname most of the time, else one made of syllables (a real register has thousands).
    private mutating func surname() -> String {
        if random.chance(0.45) { return random.pick(SampleVocabulary.surnames) }
        var word = random.pick(SamplePersonNames.stems)
        if random.chance(0.5) { word += random.pick(SampleVocabulary.syllables) }
        word += random.pick(SamplePersonNames.endings)
        return word.prefix(1).uppercased() + word.dropFirst()
    }

    private mutating func phone(_ country: SampleCountry, area: String) -> String {
        let subscriber = country.subscriber(after: area, &random)
        switch random.below(3) {
        case 0: return "+\(country.callingCode) \(area) \(subscriber)"
        case 1: return "\(country.trunkPrefix)\(area) \(subscriber)"
        default: return "\(country.trunkPrefix)\(area)/\(subscriber)"
        }
    }

    /// The same person keyed again: one to four of the corruptions below.
    private mutating func makeDuplicate(of original: Person) -> Person {
        var copy = original
        copy.duplicateOf = original.key
        var changes: [String] = []
        let count = 1 + random.below(4)
        var tried = 0
        while changes.count < count && tried < 12 {
            tried += 1
            switch random.below(14) {
            case 0: copy.first = typo(copy.first); changes.append("first-typo")
            case 1, 2: copy.last = typo(copy.last); changes.append("last-typo")
            case 3:
                guard let nick = SamplePersonNames.nicknames[copy.first] else { continue }
                copy.first = random.pick(nick); changes.append("nickname")
            case 4:
                copy.first = String(copy.first.prefix(1)) + (random.chance(0.5) ? "." : ""); changes.append("initial")
            case 5: (copy.first, copy.last) = (copy.last, copy.first); changes.append("swapped-names")
            case 6:
                guard copy.female, !changes.contains("swapped-names") else { continue }
                copy.last = surname(); changes.append("married-name")
            case 7:
                guard let birth = copy.birth else { continue }
                if birth.day <= 12 && birth.day != birth.month && random.chance(0.6) {
                    copy.birth = (birth.year, birth.day, birth.month); changes.append("birth-day-month")
                } else {
                    let step = random.chance(0.5) ? 1 : -1
                    copy.birth =
                        random.chance(0.5)
                        ? (birth.year + step, birth.month, birth.day)
                        : (birth.year, birth.month, min(28, max(1, birth.day + step)))
                    changes.append("birth-digit")
                }
            case 8: copy.birth = nil; changes.append("no-birth")
            case 9:
                guard !copy.idNumber.isEmpty else { continue }
                if random.chance(0.5) {
                    copy.idNumber = ""; changes.append("no-id")
                } else {
                    var digits = Array(copy.idNumber)
                    let position = random.below(digits.count - 1)
                    if random.chance(0.5) {
                        digits.swapAt(position, position + 1)
                    } else {
                        digits[position] = Character(String(((Int(String(digits[position])) ?? 0) + 1) % 10))
                    }
                    copy.idNumber = String(digits); changes.append("id-typo")
                }
            case 10:
                let abbreviated = SamplePersonNames.abbreviate(copy.street)
                if abbreviated != copy.street {
                    copy.street = abbreviated; changes.append("street-abbreviated")
                } else {
                    copy.houseNumber = ""; changes.append("no-house-number")
                }
            case 11:
                // Moved within the country.
                var moved = makePerson(key: 0)
                while moved.country.iso2 != copy.country.iso2 { moved = makePerson(key: 0) }
                (copy.street, copy.houseNumber, copy.postalCode, copy.city) =
                    (moved.street, moved.houseNumber, moved.postalCode, moved.city)
                copy.phone = ""; changes.append("moved")
            case 12: copy.phone = ""; copy.email = ""; changes.append("no-contact")
            default:
                copy.title = ""; copy.last = copy.last.uppercased(); changes.append("upper-case")
            }
        }
        if changes.isEmpty { copy.title = ""; changes.append("no-title") }
        copy.variation = changes.joined(separator: "+")
        return copy
    }

    /// Another member of the household: same last name, address and landline; not the same person.
    private mutating func makeRelative(of original: Person, twin: Bool) -> Person {
        var relative = makePerson(key: 0)
        relative.last = original.last
        (relative.street, relative.houseNumber, relative.postalCode, relative.city, relative.country) =
            (original.street, original.houseNumber, original.postalCode, original.city, original.country)
        relative.countryText = original.countryText
        relative.phone = random.chance(0.5) ? original.phone : relative.phone
        if twin, let birth = original.birth { relative.birth = birth }
        while relative.first == original.first {
            relative.first = random.pick(relative.female ? SamplePersonNames.femaleFirst : SamplePersonNames.maleFirst)
        }
        return relative
    }

    /// One keying error: a letter replaced, dropped, doubled, or two neighbours swapped.
    private mutating func typo(_ text: String) -> String {
        var letters = Array(text)
        guard letters.count > 2 else { return text }
        let position = 1 + random.below(letters.count - 2)
        switch random.below(4) {
        case 0: letters[position] = random.pick(Array("aeiournstlmk"))
        case 1: letters.remove(at: position)
        case 2: letters.insert(letters[position], at: position)
        default: letters.swapAt(position, position + 1)
        }
        return String(letters)
    }

    // MARK: Writing

    private func write(_ person: Person) throws {
        func date(_ value: (year: Int, month: Int, day: Int)?) -> String {
            guard let value else { return "" }
            return String(format: "%02d.%02d.%04d", value.day, value.month, value.year)
        }
        let fields = [
            Self.key(person.key), person.title, person.first, person.last, date(person.birth), person.street,
            person.houseNumber, person.postalCode, person.city, person.countryText, person.phone, person.email,
            person.idNumber.isEmpty ? "" : "national_id", person.idNumber,
            person.idNumber.isEmpty ? "" : person.country.iso2, person.iban, date(person.created),
        ]
        try output.write(
            fields.map {
                $0.contains(";") || $0.contains("\"") ? "\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" : $0
            }
            .joined(separator: ";") + "\n")
    }
}
