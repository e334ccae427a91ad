/// A block of tokenized CSV records: the bytes, and where each field starts and ends in them.
///
/// Statistics and mapping read fields as byte ranges without making a `String` per field; a field
/// whose `flags` say it needs unescaping (doubled quotes, text after a closing quote) goes through
/// ``CSVField/unescape(_:_:into:)``. A batch is immutable once built and can cross threads.
public final class CSVBatch: @unchecked Sendable {
    // Its arrays are written by the one reader filling it, then only read: the runtime's exclusivity
    // checks on every append and field lookup (~1.5% of a profile, on the reading task) prove nothing.
    /// ASCII-compatible bytes (raw for UTF-8 and single-byte encodings, transcoded for UTF-16).
    @exclusivity(unchecked) public internal(set) var bytes: [UInt8] = []
    /// The tokenizer's field spans, owned by the batch from the reader on (copying them into arrays
    /// was as many bytes again as the batch's text, and as many fresh pages).
    @exclusivity(unchecked) private var spans: FieldSpans?
    /// Where each field starts in ``bytes``; valid while the batch lives.
    public var fieldStart: UnsafeBufferPointer<Int32> {
        UnsafeBufferPointer(start: spans?.start, count: spans?.count ?? 0)
    }
    /// Where each field ends in ``bytes``; valid while the batch lives.
    public var fieldEnd: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: spans?.end, count: spans?.count ?? 0) }
    /// Each field's ``CSVField`` bits; valid while the batch lives.
    public var fieldFlags: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: spans?.flags, count: spans?.count ?? 0)
    }
    /// Index of each record's first field in the field arrays; one extra entry closes the last record.
    @exclusivity(unchecked) public internal(set) var recordFirstField: [Int32] = [0]
    @exclusivity(unchecked) public internal(set) var recordLine: [Int] = []
    @exclusivity(unchecked) public internal(set) var recordOffset: [Int64] = []
    /// 1-based index among all records of the extract (malformed ones included).
    @exclusivity(unchecked) public internal(set) var recordIndex: [Int] = []
    /// Malformed records met in this block, in order; they are not among the batch's records.
    @exclusivity(unchecked) public internal(set) var malformed: [Finding] = []

    public var recordCount: Int { recordLine.count }

    /// Where the batch's memory goes when it is released (nil: freed).
    private let recycler: CSVBatchRecycler?

    init(recycler: CSVBatchRecycler? = nil) {
        self.recycler = recycler
    }

    /// Takes the spans of the batch's fields (the reader fills them, then hands them over).
    func adopt(_ fields: FieldSpans) {
        spans?.deallocate()
        spans = fields
    }

    deinit {
        if let recycler {
            recycler.give(bytes: bytes, spans: spans)
        } else {
            spans?.deallocate()
        }
    }

    public func fieldRange(record: Int) -> Range<Int> {
        Int(recordFirstField[record])..<Int(recordFirstField[record + 1])
    }
}

/// Bits of ``CSVBatch/fieldFlags``.
public enum CSVField {
    /// The field was quoted; its span excludes the outer quotes unless `needsUnescape` is set.
    public static let quoted: UInt8 = 1
    /// The raw span must be unescaped (doubled quotes, or text after the closing quote).
    public static let needsUnescape: UInt8 = 2
    /// The field holds a NUL byte.
    public static let nul: UInt8 = 4

    /// Writes the field's value for a raw span that needs unescaping: outer quotes removed, `""` -> `"`.
    public static func unescape(_ base: UnsafePointer<UInt8>, _ count: Int, quote: UInt8, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var index = 0
        var inQuotes = false
        if count > 0 && base[0] == quote {
            inQuotes = true
            index = 1
        }
        while index < count {
            let byte = base[index]
            if inQuotes && byte == quote {
                if index + 1 < count && base[index + 1] == quote {
                    out.append(quote)
                    index += 2
                    continue
                }
                inQuotes = false
                index += 1
                continue
            }
            out.append(byte)
            index += 1
        }
    }
}
