/// Reads a CSV extract record by record as ``Record``s (column -> string).
///
/// Built on ``CSVBatchReader``; malformed records are not returned but collected as findings
/// (``drainFindings()``), in order, as they are met.
public final class CSVRecordReader: ExtractReader {
    public let batches: CSVBatchReader
    @exclusivity(unchecked) private var batch: CSVBatch?
    @exclusivity(unchecked) private var cursor = 0
    /// Malformed records of the current batch not yet passed on (they are passed on in record order).
    private var malformedQueue: [Finding] = []
    private var findings: [Finding] = []
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    @exclusivity(unchecked) public private(set) var recordCount = 0
    public private(set) var malformedCount = 0

    /// The columns records are made with, in file order: every column, or those `options.fields` keeps.
    private let keptColumns: [Int]

    public init(path: String, options: ExtractOptions = ExtractOptions()) throws {
        batches = try CSVBatchReader(path: path, options: options)
        findings = batches.headerFindings
        let header = batches.header
        keptColumns = header.indices.filter { options.fields?.record.contains(header[$0]) ?? true }
    }

    public var description: ExtractDescription {
        ExtractDescription(
            path: batches.path, format: .csv, encoding: batches.encoding, dialect: batches.dialect,
            recordPath: nil, columns: batches.header)
    }

    /// Continues at a checkpoint's record (see ``CSVBatchReader/resume(atOffset:line:recordIndex:)``).
    public func resume(atOffset offset: Int64, line: Int, recordIndex: Int) throws {
        try batches.resume(atOffset: offset, line: line, recordIndex: recordIndex)
        batch = nil
        cursor = 0
        malformedQueue = []
        findings = []
    }

    public func next() throws -> Record? {
        while true {
            if let batch, cursor < batch.recordCount {
                defer { cursor += 1 }
                recordCount += 1
                passOnMalformed(before: batch.recordIndex[cursor])
                return record(at: cursor, in: batch)
            }
            passOnMalformed(before: Int.max)
            guard let fresh = try batches.nextBatch() else { return nil }
            malformedQueue = fresh.malformed
            batch = fresh
            cursor = 0
        }
    }

    private func passOnMalformed(before index: Int) {
        var taken = 0
        while taken < malformedQueue.count, (malformedQueue[taken].recordIndex ?? 0) < index { taken += 1 }
        guard taken > 0 else { return }
        findings.append(contentsOf: malformedQueue[..<taken])
        malformedCount += taken
        malformedQueue.removeFirst(taken)
    }

    public func drainFindings() -> [Finding] {
        defer { findings.removeAll() }
        return findings
    }

    private func record(at index: Int, in batch: CSVBatch) -> Record {
        let header = batches.header
        let range = batch.fieldRange(record: index)
        var fields: [Field] = []
        fields.reserveCapacity(min(range.count, keptColumns.count))
        batch.bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            for column in keptColumns where column < range.count {
                let field = range.lowerBound + column
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
