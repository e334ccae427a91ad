/// The kinds of value the profiler recognizes, from most to least specific.
public enum ValueType: String, Sendable, Codable, CaseIterable {
    case flag
    case country = "country-code"
    case date
    case integer
    case decimal
    case email
    case phone
    case iban
    case vatId = "vat-id"
    case code
    case text

    /// This type's bit in a type mask (its position in `allCases`).
    @inline(__always)
    var bit: UInt16 {
        switch self {
        case .flag: return 1 << 0
        case .country: return 1 << 1
        case .date: return 1 << 2
        case .integer: return 1 << 3
        case .decimal: return 1 << 4
        case .email: return 1 << 5
        case .phone: return 1 << 6
        case .iban: return 1 << 7
        case .vatId: return 1 << 8
        case .code: return 1 << 9
        case .text: return 1 << 10
        }
    }

    /// Types that hold personal data, masked by `--mask-pii`.
    public var isPersonalData: Bool { self == .email || self == .phone || self == .iban || self == .vatId }
}

/// Date layouts the profiler recognizes.
public enum DateLayout: String, Sendable, Codable, CaseIterable {
    case dayMonthYearDots = "dd.MM.yyyy"
    case compact = "yyyyMMdd"
    case iso = "yyyy-MM-dd"
    case isoDateTime = "yyyy-MM-ddTHH:mm:ss"
    case monthDayYearSlashes = "MM/dd/yyyy"
    case dayMonthYearSlashes = "dd/MM/yyyy"
    case yearMonthDaySlashes = "yyyy/MM/dd"
    case dayMonthShortYearDots = "dd.MM.yy"

    @inline(__always)
    var bit: UInt16 {
        switch self {
        case .dayMonthYearDots: return 1 << 0
        case .compact: return 1 << 1
        case .iso: return 1 << 2
        case .isoDateTime: return 1 << 3
        case .monthDayYearSlashes: return 1 << 4
        case .dayMonthYearSlashes: return 1 << 5
        case .yearMonthDaySlashes: return 1 << 6
        case .dayMonthShortYearDots: return 1 << 7
        }
    }
}
