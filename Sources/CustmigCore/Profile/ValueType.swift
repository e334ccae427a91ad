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

    var bit: UInt16 { 1 << UInt16(ValueType.allCases.firstIndex(of: self)!) }

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

    var bit: UInt16 { 1 << UInt16(DateLayout.allCases.firstIndex(of: self)!) }
}
