/// Counts an extract's records and malformed records: the pure cost of reading it.
///
/// CSV is tokenized and checked (field counts, NUL bytes, UTF-8) without making strings; XML is
/// parsed and its records built, as every stage reads them.
public enum ExtractCounter {
    public struct Counts: Sendable {
        public var records = 0
        public var malformed = 0
    }

    /// - Parameter findings: called with each batch of findings, in file order.
    public static func count(
        path: String, options: ExtractOptions, findings: ([Finding]) -> Void
    ) throws -> (ExtractDescription, Counts) {
        var counts = Counts()
        let format = try options.format ?? ExtractOpener.detectFormat(path: path)
        if format == .csv {
            let reader = try CSVBatchReader(path: path, options: options)
            let description = ExtractDescription(
                path: path, format: .csv, encoding: reader.encoding, dialect: reader.dialect, recordPath: nil,
                columns: reader.header)
            findings(reader.headerFindings)
            while let batch = try reader.nextBatch() {
                counts.records += batch.recordCount
                counts.malformed += batch.malformed.count
                if !batch.malformed.isEmpty { findings(batch.malformed) }
            }
            return (description, counts)
        }
        let reader = try XMLRecordReader(path: path, options: options)
        while try reader.next() != nil {
            let found = reader.drainFindings()
            if !found.isEmpty { findings(found) }
        }
        findings(reader.drainFindings())
        counts.records = reader.recordCount
        counts.malformed = reader.malformedCount
        return (reader.description, counts)
    }
}
