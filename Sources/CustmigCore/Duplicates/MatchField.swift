/// What the matcher compares, field by field, and the agreement levels of each field, best first.
/// A pair's comparison is one level per field (or missing when either side has no value): the unit the
/// Fellegi-Sunter weights are learned for and the evidence a steward sees.
public enum MatchField: Int, CaseIterable, Sendable, Codable {
    /// An organisation's name without its legal form (or a person's whole name against an organisation).
    case name
    case firstName
    case lastName
    case birthDate
    /// Any identifier type both customers hold: national id, tax number, VAT id, register number…
    case identifier
    case postalCode
    /// The street's name, without its house number.
    case street
    case houseNumber
    case city
    case country
    case phone
    case email

    /// The name reports and mapping pins use.
    public var label: String {
        switch self {
        case .name: return "name"
        case .firstName: return "first_name"
        case .lastName: return "last_name"
        case .birthDate: return "birth_date"
        case .identifier: return "identifier"
        case .postalCode: return "postal_code"
        case .street: return "street"
        case .houseNumber: return "house_number"
        case .city: return "city"
        case .country: return "country"
        case .phone: return "phone"
        case .email: return "email"
        }
    }

    /// The agreement levels, best first; the last is always `different`.
    public var levels: [String] {
        switch self {
        case .name: return ["exact", "close", "similar", "different"]
        case .firstName: return ["exact", "close", "initial_or_nickname", "different"]
        case .lastName: return ["exact", "close", "sounds_alike", "different"]
        case .birthDate: return ["exact", "typo", "different"]
        case .identifier: return ["exact", "typo", "different"]
        case .postalCode: return ["exact", "typo", "different"]
        case .street: return ["exact", "close", "different"]
        case .houseNumber: return ["exact", "different"]
        case .city: return ["exact", "close", "different"]
        case .country: return ["exact", "different"]
        case .phone: return ["shared", "different"]
        case .email: return ["shared", "different"]
        }
    }

    public static func named(_ label: String) -> MatchField? { allCases.first { $0.label == label } }
}

/// One level per ``MatchField``, four bits each (15: missing), so that a pair's comparison is one
/// integer: pairs with the same comparison are counted together when the weights are learned.
public struct MatchComparison: Hashable, Sendable {
    public static let missing: UInt8 = 15
    public private(set) var bits: UInt64 = ~0

    public init() {}

    public subscript(field: MatchField) -> UInt8 {
        get { UInt8(truncatingIfNeeded: (bits >> (UInt64(field.rawValue) * 4)) & 0xF) }
        set {
            let shift = UInt64(field.rawValue) * 4
            bits = (bits & ~(0xF << shift)) | (UInt64(newValue & 0xF) << shift)
        }
    }
}
