/// The profile of one extract: what `custmig profile` writes as JSON (schema `custmig.profile/1`).
///
/// The schema is stable: fields are only ever added. It is documented in the DocC article Profile
/// ("Profile JSON"), and later stages read it.
public struct ExtractProfile: Sendable, Codable {
    public var schema = "custmig.profile/1"
    public var file: FileFacts
    public var fields: [FieldProfile]

    /// The fields as a report lists them: those that vary first, in the extract's order, then those
    /// holding one and the same value in every record (an IDoc's control fields, a constant client):
    /// a reader meets the customer's own fields first.
    public var fieldsInReadingOrder: [FieldProfile] {
        func isConstant(_ field: FieldProfile) -> Bool {
            field.distinct == 1 && field.present == file.records && field.empty + field.blank == 0
        }
        return fields.filter { !isConstant($0) } + fields.filter(isConstant)
    }

    /// The candidate keys in words, and when there is none, the field that comes nearest and what keeps
    /// it from being one (a legacy extract's key often has a blank or a repeat: that is what to fix).
    public var candidateKeysText: String {
        let keys = fields.filter(\.isCandidateKey).map(\.name)
        if !keys.isEmpty { return keys.joined(separator: ", ") }
        let records = file.records
        func defects(_ field: FieldProfile) -> (missing: Int, repeats: Int) {
            (field.empty + field.blank + max(0, records - field.present), field.duplicateValues ?? records)
        }
        // A field in (nearly) every record with few defects (repeats counted exactly); one with none is
        // no key for another reason (not one value per record) and is left out.
        let nearest = fields.filter { field in
            let (missing, repeats) = defects(field)
            return field.isSegmentCount != true && field.present * 10 >= records * 9 && missing + repeats > 0
                && (missing + repeats) * 20 <= max(records, 20)
        }.min { defects($0).missing + defects($0).repeats < defects($1).missing + defects($1).repeats }
        guard let nearest else { return "none" }
        let (missing, repeats) = defects(nearest)
        var reasons: [String] = []
        if missing > 0 { reasons.append("\(missing) record\(missing == 1 ? "" : "s") without it") }
        if repeats > 0 { reasons.append("\(repeats) value\(repeats == 1 ? "" : "s") repeated") }
        return "none; nearest \(nearest.name) (\(reasons.joined(separator: ", ")))"
    }
}

/// Facts about the file as a whole.
public struct FileFacts: Sendable, Codable {
    public var path: String
    public var sizeBytes: Int64
    public var format: ExtractFormat
    public var encoding: String
    public var encodingConfidence: Double
    public var encodingReason: String
    /// CSV only.
    public var delimiter: String?
    public var lineEndings: String?
    public var hasHeader: Bool?
    /// XML only.
    public var recordPath: String?
    public var records: Int
    public var malformedRecords: Int
    /// The first malformed records (at most 100), in file order.
    public var malformedSamples: [MalformedSample]
    /// Counts of malformed records per reason code.
    public var malformedByCode: [String: Int]
    public var warnings: [String]
    public var elapsedSeconds: Double
}

/// One malformed record: where and why.
public struct MalformedSample: Sendable, Codable {
    public var line: Int?
    public var column: Int?
    public var record: Int?
    public var code: String
    public var message: String
    public var fix: String?
}

/// Statistics of one CSV column or XML field path (`E1KNVVM/VKORG`).
public struct FieldProfile: Sendable, Codable {
    public var name: String
    /// Records (or, for nested paths, segments) in which the field occurs.
    public var present: Int
    /// Occurs with an empty value.
    public var empty: Int
    /// Occurs with only spaces or tabs.
    public var blank: Int
    public var distinct: Int
    /// True when `distinct` is a HyperLogLog estimate (about 1% error) rather than exact.
    public var distinctIsEstimate: Bool
    /// In characters, over non-empty values.
    public var minLength: Int?
    public var maxLength: Int?
    public var leadingWhitespace: Int
    public var trailingWhitespace: Int
    public var nonASCII: Int
    /// Values with a control character (C0 but tab and line breaks, or DEL), which `map` replaces.
    public var controlCharacters: Int
    public var inferredType: ValueType
    /// Share of non-blank values that do not fit `inferredType` (0...1).
    public var nonConformingShare: Double
    /// Non-blank values fitting each type (a value may fit several).
    public var typeCounts: [String: Int]
    public var dateLayouts: [String: Int]
    /// Values read with a decimal comma (`1.234,56`) among the numbers.
    public var decimalCommaCount: Int
    public var numeric: NumericSummary?
    /// Unique and never empty: a candidate key.
    public var isCandidateKey: Bool
    /// Non-empty values that repeat an earlier value (known exactly for key-like fields, else nil).
    public var duplicateValues: Int?
    public var topValues: [ValueCount]
    /// False when most values are unique, so top values say little (they are then not tracked further).
    public var topValuesMeaningful: Bool
    public var patterns: [ValueCount]
    /// True when values shown are masked (`--mask-pii`).
    public var masked: Bool
    /// True for a repeated segment (`E1KNVVM`, `Addresses/Address`): its values are how many of it
    /// each parent has, not data. Nil (absent in older profiles) means a data field.
    public var isSegmentCount: Bool?

    /// The type as reports show it: a segment's counts are not an integer field.
    public var typeLabel: String { isSegmentCount == true ? "segments" : inferredType.rawValue }

    /// "1–3 per parent" for a segment, from its counts.
    public var segmentsPerParent: String? {
        guard isSegmentCount == true, let numeric else { return nil }
        let low = Int(numeric.min)
        let high = Int(numeric.max)
        return (low == high ? "\(low)" : "\(low)–\(high)") + " per parent"
    }
}

public struct NumericSummary: Sendable, Codable {
    public var count: Int
    public var min: Double
    public var max: Double
    public var mean: Double
}

public struct ValueCount: Sendable, Codable {
    public var value: String
    public var count: Int
    /// True when the count is an upper bound from the bounded top-values sketch.
    public var estimated: Bool
}
