/// Profiles CSV batches column by column, on raw field bytes (no `String` per field).
/// Sendable by hand: each profiling worker has an accumulator of its own, and the profiler merges
/// them only after ``WorkerPool/finish()`` has waited for every worker.
final class CSVColumnAccumulator: @unchecked Sendable {
    private(set) var fields: [FieldStatistics]
    private var scratch: [UInt8] = []
    private var utf8: [UInt8] = []

    init(columns: [String]) {
        fields = columns.map { FieldStatistics(name: $0) }
    }

    func add(_ batch: CSVBatch, transcoder: CSVFieldTranscoder) {
        let direct = transcoder.bytesAreUTF8
        fields.withUnsafeMutableBufferPointer { fields in
            batch.bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                batch.fieldStart.withUnsafeBufferPointer { starts in
                    batch.fieldEnd.withUnsafeBufferPointer { ends in
                        batch.fieldFlags.withUnsafeBufferPointer { flags in
                            for record in 0..<batch.recordCount {
                                let first = Int(batch.recordFirstField[record])
                                let last = min(Int(batch.recordFirstField[record + 1]), first + fields.count)
                                for field in first..<last {
                                    let column = field - first
                                    let start = Int(starts[field])
                                    let end = Int(ends[field])
                                    if direct && flags[field] & CSVField.needsUnescape == 0 {
                                        fields[column].add(base + start, end - start)
                                    } else {
                                        transcoder.utf8Field(
                                            base: base, start: start, end: end, flags: flags[field], scratch: &scratch,
                                            out: &utf8)
                                        utf8.withUnsafeBufferPointer { value in
                                            fields[column].add(value.baseAddress ?? base, value.count)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func merge(_ other: CSVColumnAccumulator) {
        for index in fields.indices { fields[index].merge(other.fields[index]) }
    }
}
