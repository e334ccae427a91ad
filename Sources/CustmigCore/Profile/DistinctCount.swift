/// Exact distinct counts of 64-bit fingerprints, for key-like columns (millions of them, near uniform).
enum DistinctCount {
    /// The number of distinct values. The values go into buckets by their top bits (one counting pass,
    /// one scattering pass), and each bucket, a handful of values, is sorted on its own: a quarter of
    /// the memory passes of a radix sort of the whole list, and the list is only read (sorting a
    /// column's fingerprints copied them first). Skewed values only make some buckets larger.
    static func of(_ values: [UInt64]) -> Int { of(blocks: [values]) }

    /// The number of distinct values in all the blocks together (``KeyPrintList``'s).
    static func of(blocks: [[UInt64]]) -> Int {
        let count = blocks.reduce(0) { $0 + $1.count }
        guard count > 64 else { return Set(blocks.joined()).count }
        // About eight values per bucket.
        let bits = min(24, max(4, (Int.bitWidth - count.leadingZeroBitCount) - 3))
        let shift = UInt64(64 - bits)
        var starts = [Int](repeating: 0, count: (1 << bits) + 1)
        for values in blocks {
            for value in values { starts[Int(value >> shift) + 1] += 1 }
        }
        for bucket in 1..<starts.count { starts[bucket] += starts[bucket - 1] }
        var next = starts
        var scattered = [UInt64](unsafeUninitializedCapacity: count) { buffer, initialized in
            for values in blocks {
                for value in values {
                    let bucket = Int(value >> shift)
                    buffer[next[bucket]] = value
                    next[bucket] += 1
                }
            }
            initialized = count
        }
        var distinct = 0
        scattered.withUnsafeMutableBufferPointer { buffer in
            for bucket in 0..<(starts.count - 1) {
                let (start, end) = (starts[bucket], starts[bucket + 1])
                guard start < end else { continue }
                if end - start <= 24 {
                    // Insertion sort: a call into the library's sort per bucket cost more than sorting.
                    for index in (start + 1)..<end {
                        let value = buffer[index]
                        var hole = index
                        while hole > start && buffer[hole - 1] > value {
                            buffer[hole] = buffer[hole - 1]
                            hole -= 1
                        }
                        buffer[hole] = value
                    }
                } else {
                    var slice = UnsafeMutableBufferPointer(rebasing: buffer[start..<end])
                    slice.sort()
                }
                distinct += 1
                for index in (start + 1)..<end where buffer[index] != buffer[index - 1] { distinct += 1 }
            }
        }
        return distinct
    }
}
