/// A versioned mapping: how one source system's extracts become canonical customers.
///
/// Loaded from YAML by ``MappingLoader``, which checks it completely before any data is read. The
/// language is documented in `Mappings/README.md`.
public struct Mapping: Sendable {
    public var name: String
    public var version: Int
    public var description: String?
    public var source: MappingSource
    /// The customer's own fields and its lists (addresses, contacts, sales areas…).
    public var customer: SectionMapping
    public var valueMaps: [String: ValueMap]
    public var rules: [MappingRule]
    /// Canonical fields the target owns after the insert that sets them (never overwritten later).
    public var targetOwned: Set<String>
    public var rejectThreshold: RejectThreshold
    /// What happens to a customer referring (parent, partner function) to one that is in neither the
    /// extracts nor an earlier run: `review` (default) or `reject`.
    public var missingReference: MappingRule.Severity = .review
    /// How customers are numbered and loaded (`load` section) with the ownership above.
    public var load = LoadSettings()
    /// The `duplicates` section: thresholds and survivorship rules.
    public var duplicates = DuplicateSettings()
    /// The YAML file it was loaded from.
    public var file: String
    /// Steward corrections of source values (`corrections.csv` beside the mapping), by legacy key.
    public var corrections: [String: [Correction]] = [:]
    /// Steward decisions on review items (`review-decisions.csv`), by legacy key.
    public var decisions: [String: [ReviewDecision]] = [:]
}

/// What the extracts look like; every field left `nil` is detected from the file.
public struct MappingSource: Sendable {
    public var format: ExtractFormat?
    public var encoding: TextEncoding?
    public var delimiter: UInt8?
    public var recordPath: String?
    /// CSV: whether the first record names the columns (else they are `column_1`, `column_2`, …).
    public var hasHeader = true
    /// CSV lines before the header that are not data (`skip_lines`).
    public var skipLines = 0
    /// Source field(s) holding the legacy key.
    public var key: [String]
    public var sameKey: SameKeyPolicy
    /// Several files joined by key (SAP table downloads KNA1 + KNVV + KNB1, AS/400 physical files): one
    /// primary, the others becoming child lists of its records. Empty: every extract is primary.
    public var files: [SourceFile] = []

    public var extractOptions: ExtractOptions {
        var options = ExtractOptions(format: format, encoding: encoding, delimiter: delimiter, recordPath: recordPath)
        options.hasHeader = hasHeader
        options.skipLines = skipLines
        return options
    }
}

/// One file of a joined source.
public struct SourceFile: Sendable, Equatable {
    /// The list name its rows get on the primary record (`each: KNVV` in the mapping), or the primary's name.
    public var name: String
    /// A file-name pattern (`*KNVV*.csv`) that tells which extract is this file.
    public var match: String
    public var isPrimary: Bool
    /// The child's field(s) holding the primary's key.
    public var key: [String]
}

/// What to do when an extract holds several records with the same key (SAP change IDocs).
public enum SameKeyPolicy: Sendable, Equatable {
    case first
    case last
    /// The record with the highest value of this field (e.g. `control.DOCNUM`) wins.
    case highest(String)
}

/// Where a value comes from in the source record.
public indirect enum ValueSource: Sendable, Equatable {
    /// A field of the record (`NAME1`), of the current list element, or of the control record (`control.DOCNUM`).
    case field(String)
    case constant(String)
    /// Values joined with a separator, empty ones left out.
    case concat([ValueSource], separator: String)
    /// One part of a value split on a separator (0-based).
    case split(ValueSource, separator: String, part: Int)
}

/// How one canonical field is filled.
public struct FieldMapping: Sendable {
    public var source: ValueSource
    public var transforms: [Transform]
    /// A value map applied after the transforms.
    public var valueMap: String?
    /// Used when the source value is empty.
    public var defaultValue: String?
    /// Where it is written in the mapping file.
    public var location: SourceLocation
}

/// The fields of one canonical section, and the lists inside it.
public struct SectionMapping: Sendable {
    public var section: CanonicalSection
    /// For a list: the source list each element comes from (`E1KNVVM`); nil makes one element from
    /// the enclosing record's fields (a flat CSV's one address).
    public var each: String?
    /// With `each`: only the segments whose field equals the enclosing element's field, as
    /// (segment field, enclosing field) pairs — a sales area's partner functions among the rows of a
    /// joined KNVP file (`where: {VKORG: VKORG, VTWEG: VTWEG, SPART: SPART}`).
    public var matching: [(segmentField: String, elementField: String)] = []
    public var fields: [String: FieldMapping]
    public var lists: [(section: CanonicalSection, mappings: [SectionMapping])]
    public var location: SourceLocation
}

/// A value-mapping table: legacy code -> target code.
public struct ValueMap: Sendable {
    public enum Unknown: Sendable, Equatable {
        case reject
        case review
        case useDefault(String)
        /// Keep the legacy code as it is.
        case keep
    }

    public var name: String
    public var entries: [String: String]
    public var unknown: Unknown
    /// Compare codes ignoring case and surrounding spaces.
    public var ignoreCase: Bool
    /// The CSV file it was read from, if any.
    public var file: String?
}

/// Above this many rejects the stage fails its quality gate.
public struct RejectThreshold: Sendable, Equatable {
    public var count: Int?
    /// 0...1 of the records read.
    public var share: Double?

    public func isExceeded(rejects: Int, of records: Int) -> Bool {
        if let count, rejects > count { return true }
        if let share, records > 0, Double(rejects) / Double(records) > share { return true }
        return false
    }
}
