import Synchronization

/// Keeps the memory of batches their readers are done with, for the reader's next batches.
///
/// A profile or a map reads a CSV in blocks of a few megabytes, each with its field spans: fresh
/// memory for every block was ~75,000 page faults for a 245 MB extract (the kernel's `read` and the
/// tokenizer touching new pages), ~4% of a profile. A batch gives its bytes and spans back when the
/// last worker releases it; at most ``limit`` of each are kept, none larger than the reader's blocks
/// need, so memory stays bounded by the batches in flight.
final class CSVBatchRecycler: Sendable {
    static let limit = 4
    private let maxBytes: Int
    private let maxFields: Int

    private struct Free: ~Copyable {
        var bytes: [[UInt8]] = []
        var spans: [FieldSpans] = []
    }

    private let free = Mutex(Free())

    init(maxBytes: Int, maxFields: Int) {
        self.maxBytes = maxBytes
        self.maxFields = maxFields
    }

    deinit {
        free.withLock { free in
            for spans in free.spans { spans.deallocate() }
            free.spans.removeAll()
        }
    }

    /// An empty byte buffer with the capacity a previous batch had, if one is free.
    func takeBytes() -> [UInt8]? {
        guard var bytes = free.withLock({ $0.bytes.popLast() }) else { return nil }
        bytes.removeAll(keepingCapacity: true)
        return bytes
    }

    /// Empty field spans with the capacity a previous batch had, if some are free.
    func takeSpans() -> FieldSpans? {
        guard var spans = free.withLock({ $0.spans.popLast() }) else { return nil }
        spans.truncate(to: 0)
        return spans
    }

    /// Takes back a finished batch's memory (or frees it, when enough is kept).
    func give(bytes: [UInt8], spans: FieldSpans?) {
        let surplus: FieldSpans? = free.withLock { free in
            if free.bytes.count < Self.limit && bytes.capacity > 0 && bytes.capacity <= maxBytes {
                free.bytes.append(bytes)
            }
            guard let spans else { return nil }
            guard free.spans.count < Self.limit && spans.capacity <= maxFields else { return spans }
            free.spans.append(spans)
            return nil
        }
        surplus?.deallocate()
    }
}
