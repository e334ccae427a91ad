/// A problem with one record or one part of an extract that does not stop the run.
///
/// Readers report malformed records as findings and go on with the next record; later stages
/// quarantine the record with the finding's reason.
public struct Finding: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case warning, error }

    public var severity: Severity
    /// A stable code such as `CSV-RAGGED`, `CSV-UTF8`, `XML-SYNTAX`.
    public var code: String
    public var message: String
    public var location: SourceLocation
    /// 1-based index of the record it concerns, when it concerns one.
    public var recordIndex: Int?
    public var fix: String?

    public init(
        _ severity: Severity, code: String, _ message: String, at location: SourceLocation,
        record: Int? = nil, fix: String? = nil
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.recordIndex = record
        self.fix = fix
    }

    public var description: String {
        var text = "\(location): \(severity.rawValue): [\(code)] \(message)"
        if let fix { text += " Fix: \(fix)" }
        return text
    }
}
