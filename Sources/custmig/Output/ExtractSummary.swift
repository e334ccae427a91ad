import CustmigCore

/// One-line descriptions of an extract for stderr.
enum ExtractSummary {
    static func describe(_ description: ExtractDescription) -> String {
        var parts = ["\(description.path): \(description.format.rawValue)"]
        let encoding = description.encoding
        parts.append("encoding \(description.declaredEncoding ?? encoding.encoding.rawValue) (\(encoding.reason))")
        if let dialect = description.dialect {
            parts.append("delimiter \"\(dialect.delimiterName)\"")
            parts.append("line endings \(dialect.lineEnding.rawValue)")
            parts.append("\(description.columns.count) columns")
        }
        if let path = description.recordPath { parts.append("record path \(path)") }
        return parts.joined(separator: ", ")
    }
}
