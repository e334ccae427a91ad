/// The kinds of extract custmig reads.
public enum ExtractFormat: String, Sendable, Codable, CaseIterable {
    case csv
    case xml
}
