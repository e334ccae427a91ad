/// Reads a CSV extract record by record as ``Record``s (column -> string).
///
/// Built on ``CSVBatchReader``; malformed records are not returned but collected as findings
/// (``drainFindings()``), in order, as they are met.
public final class CSVRecordReader: ExtractReader {
    public let batches: CSVBatchReader
    private var batch: CSVBatch?
    private var cursor = 0
    private var findings: [Finding] = []
    private var scratch: [UInt8] = []
    public private(set) var recordCount = 0
    public private(set) var malformedCount = 0

    public init(path: String, options: ExtractOptions = ExtractOptions()) throws {
        batches = try CSVBatchReader(path: path, options: options)
        findings = batches.headerFindings
    }

    public var description: ExtractDescription {
        ExtractDescription(
            path: batches.path, format: .csv, encoding: batches.encoding, dialect: batches.dialect,
            recordPath: nil, columns: batches.header)
    }

    public func next() throws -> Record? {
        while true {
            if let batch, cursor < batch.recordCount {
                defer { cursor += 1 }
                recordCount += 1
                return record(at: cursor, in: batch)
            }
            guard let fresh = try batches.nextBatch() else { return nil }
            if findings.isEmpty && recordCount == 0 { findings = batches.headerFindings }
            findings.append(contentsOf: fresh.malformed)
            malformedCount += fresh.malformed.count
            batch = fresh
            cursor = 0
        }
    }

    public func drainFindings() -> [Finding] {
        defer { findings.removeAll() }
        return findings
    }

    private func record(at index: Int, in batch: CSVBatch) -> Record {
        let header = batches.header
        let range = batch.fieldRange(record: index)
        var fields: [Field] = []
        fields.reserveCapacity(range.count)
        batch.bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            for (column, field) in range.enumerated() {
                let value = batches.decodeField(
                    base: base, start: Int(batch.fieldStart[field]), end: Int(batch.fieldEnd[field]),
                    flags: batch.fieldFlags[field], scratch: &scratch)
                fields.append(Field(header[column], .text(value)))
            }
        }
        let offset = batch.recordOffset[index]
        let position = SourcePosition(
            file: batches.path, line: batch.recordLine[index], byteOffset: offset >= 0 ? offset : nil,
            index: batch.recordIndex[index])
        return Record(fields: fields, position: position)
    }
}
