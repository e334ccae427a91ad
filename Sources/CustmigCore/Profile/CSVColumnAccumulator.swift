/// Profiles CSV batches column by column, on raw field bytes (no `String` per field).
/// Sendable by hand: each profiling worker has an accumulator of its own, and the profiler only reads
/// them (each column's statistics, copied and merged on a task of its own) after ``RoundRobinWorkers``
/// has waited for every worker. For the same reason its properties skip the runtime's exclusivity
/// checks (written by one task at a time, one batch at a time): they cost ~8% of a profile when every
/// field of a single-byte extract went through `scratch` and `utf8`.
final class CSVColumnAccumulator: @unchecked Sendable {
    @exclusivity(unchecked) private(set) var fields: [FieldStatistics]
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    @exclusivity(unchecked) private var utf8: [UInt8] = []

    private let budget: KeyPrintBudget

    init(columns: [String], budget: KeyPrintBudget) {
        let limits = FieldStatistics.Limits.forFields(columns.count)
        fields = columns.map { FieldStatistics(name: $0, limits: limits) }
        self.budget = budget
    }

    func add(_ batch: CSVBatch, transcoder: CSVFieldTranscoder) {
        let direct = transcoder.bytesAreUTF8
        // The spans are the batch's own memory: `batch` (held by the caller) outlives this call.
        let (starts, ends, flags) = (batch.fieldStart, batch.fieldEnd, batch.fieldFlags)
        fields.withUnsafeMutableBufferPointer { fields in
            batch.bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                batch.recordFirstField.withUnsafeBufferPointer { firstFields in
                    // Column by column: one field's tables stay in the core's cache for the whole batch
                    // (record by record, each value went to another field's tables and their probes
                    // missed the cache). A field sees its values in the same order.
                    for column in 0..<fields.count {
                        for record in 0..<batch.recordCount {
                            let field = Int(firstFields[record]) + column
                            guard field < Int(firstFields[record + 1]) else { continue }
                            let start = Int(starts[field])
                            let end = Int(ends[field])
                            // Plain ASCII is the same bytes in UTF-8 and every single-byte encoding read
                            // (Windows-1252, ISO 8859-1 and -15).
                            if flags[field] & CSVField.needsUnescape == 0
                                && (direct || Self.isASCII(base + start, end - start))
                            {
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
        budget.enforce(on: &fields)
    }

    /// True when no byte has its high bit set; eight bytes at a time.
    @inline(__always)
    static func isASCII(_ base: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var index = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        var high: UInt8 = 0
        while index < count {
            high |= base[index]
            index += 1
        }
        return high & 0x80 == 0
    }
}
