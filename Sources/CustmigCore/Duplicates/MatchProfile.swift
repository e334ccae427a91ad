/// What is compared, prepared once per customer. Kept small (arrays, not sets: a customer has a handful
/// of name tokens and one or two phones): the duplicates stage holds a million of them.
///
/// A class of constants, not a struct: a pair is compared by reference. A struct read from the profile
/// array was copied for every compared pair (its dozen strings and arrays retained and released: a
/// fifth of scoring a million customers), because the compiler cannot prove the array unchanged
/// during the call.
extension CustomerMatcher {
    public final class Profile: Sendable {
        public struct Identifier: Sendable, Hashable {
            /// `vat`, `national_id`…; tax numbers by their mapped kind.
            public var type: String
            /// Upper-case letters and digits only.
            public var value: String
        }

        public let key: String
        /// As mapped, else inferred: a person when the record has name parts or a birth date.
        public let isPerson: Bool
        /// Folded name tokens without legal forms (a person's: first and last name), joined by spaces.
        public let name: String
        /// A fingerprint of the phonetic codes of the name's first two tokens (0: none). Codes, phones
        /// and e-mails are only ever tested for equality, so a profile keeps 8 bytes, not the text: a
        /// million profiles are held at once.
        public let nameCode: UInt64
        /// Folded first and last name of a person (from the name when the mapping gives no parts).
        public let first: String?
        public let last: String?
        public let firstCode: UInt64
        public let lastCode: UInt64
        /// `yyyymmdd`.
        public let birth: String?
        public let identifiers: [Identifier]
        public let country: String?
        public let postalCode: String?
        public let city: String?
        /// The street's name without its house number.
        public let street: String?
        public let houseNumber: String?
        /// Fingerprints of the phone numbers, sorted, without repeats.
        public let phones: [UInt64]
        /// Fingerprints of the lower-cased e-mail addresses, sorted, without repeats.
        public let emails: [UInt64]

        public var nameTokens: [String] { name.split(separator: " ").map(String.init) }

        public var vat: String? { identifiers.first { $0.type == "vat" }?.value }

        public init(_ customer: CanonicalCustomer) {
            let nameTokens: [String]
            key = customer.key
            isPerson = customer.inferredCategory == .person
            let first = customer.firstName.map(MatchNormalizer.fold).flatMap { $0.isEmpty ? nil : $0 }
            let last = customer.lastName.map(MatchNormalizer.fold).flatMap { $0.isEmpty ? nil : $0 }
            if isPerson {
                let tokens = MatchNormalizer.fold(customer.names.first ?? "").split(separator: " ").map(String.init)
                self.first = first ?? (last == nil && tokens.count > 1 ? tokens.dropLast().joined(separator: " ") : nil)
                self.last = last ?? (first == nil ? tokens.last : nil)
                var parts = [self.first, self.last].compactMap { $0 }.flatMap {
                    $0.split(separator: " ").map(String.init)
                }
                if parts.isEmpty { parts = tokens }
                nameTokens = parts
            } else {
                self.first = nil
                self.last = nil
                nameTokens = MatchNormalizer.nameTokens(customer.names.first ?? "")
            }
            name = nameTokens.joined(separator: " ")
            nameCode = Self.fingerprint(nameTokens.prefix(2).map { Phonetic.nysiis($0) }.joined(separator: " "))
            firstCode = Self.fingerprint(self.first.map { Phonetic.nysiis($0) })
            lastCode = Self.fingerprint(self.last.map { Phonetic.nysiis($0) })
            birth = customer.birthDate.map { text in
                text.asciiMapped { (0x30...0x39).contains($0) ? $0 : nil } ?? text.filter(\.isNumber)
            }.flatMap { $0.count == 8 ? $0 : nil }
            var identifiers: [Identifier] = []
            for identifier in customer.allIdentifiers {
                let value =
                    identifier.value.asciiMapped(\.asciiUpperAlphanumeric)
                    ?? String(
                        identifier.value.uppercased().unicodeScalars.filter {
                            $0.properties.isAlphabetic || ("0"..."9").contains($0)
                        })
                if !value.isEmpty && !identifiers.contains(where: { $0.type == identifier.type && $0.value == value }) {
                    identifiers.append(Identifier(type: identifier.type, value: value))
                }
            }
            self.identifiers = identifiers
            let address = customer.mainAddress
            country = address?.country
            postalCode =
                address?.postalCode.map { code in
                    code.asciiMapped { (0x09...0x0D).contains($0) || $0 == 0x20 ? nil : $0.asciiUppercased }
                        ?? code.filter { !$0.isWhitespace }.uppercased()
                }?.nonEmpty
            city = address?.city.map(MatchNormalizer.fold)?.nonEmpty
            let street = address?.street.map(MatchNormalizer.street)
            let split = street.map(MatchNormalizer.houseNumber) ?? (street: nil, number: nil)
            self.street = split.street?.nonEmpty
            houseNumber = address?.houseNumber.map(MatchNormalizer.fold)?.nonEmpty ?? split.number
            phones = Array(Set(customer.contacts.compactMap { Self.fingerprint($0.phone) }.filter { $0 != 0 })).sorted()
            emails = Array(
                Set(customer.contacts.compactMap { Self.fingerprint($0.email?.lowercased()) }.filter { $0 != 0 })
            ).sorted()
        }

        /// 0 for no text or an empty one.
        static func fingerprint(_ text: String?) -> UInt64 {
            guard let text, !text.isEmpty else { return 0 }
            return max(1, ValueHash.hash(text))
        }
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }

    /// The text's bytes each mapped or dropped (nil), when it is all ASCII; nil otherwise, for the
    /// Unicode-aware path. A million profiles each clean a postal code, identifiers and a birth date.
    fileprivate func asciiMapped(_ transform: (UInt8) -> UInt8?) -> String? {
        var result: [UInt8] = []
        result.reserveCapacity(utf8.count)
        for byte in utf8 {
            guard byte < 0x80 else { return nil }
            if let mapped = transform(byte) { result.append(mapped) }
        }
        return String(decoding: result, as: UTF8.self)
    }
}

extension UInt8 {
    fileprivate var asciiUppercased: UInt8 { (0x61...0x7A).contains(self) ? self - 0x20 : self }

    /// A letter upper-cased or a digit; nil for anything else.
    fileprivate var asciiUpperAlphanumeric: UInt8? {
        switch self {
        case 0x30...0x39, 0x41...0x5A: self
        case 0x61...0x7A: self - 0x20
        default: nil
        }
    }
}

extension CanonicalCustomer {
    /// The category as mapped; else a person when the record has a first or last name or a birth date,
    /// else an organisation (a customer master's default). Stored records keep what was mapped.
    public var inferredCategory: CustomerCategory {
        if let category { return category }
        return firstName != nil || lastName != nil || birthDate != nil ? .person : .organization
    }
}
