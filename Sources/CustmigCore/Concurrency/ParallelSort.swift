/// Sorting millions of small values on every core: they are dealt into 256 buckets by a key that
/// agrees with the order (every element of bucket i sorts before every element of bucket i + 1), and
/// each bucket is sorted on its own. Elements of one bucket keep their given order before sorting, so
/// the result is the same as `sort(by:)`'s for any order that breaks all ties.
enum ParallelSort {
    /// The parts' elements, in the parts' order, sorted. Dealt straight from the parts: no joined copy
    /// beside the sorted one (five million blocking entries are 80 MB each).
    static func sorted<Element: Sendable>(
        _ parts: [[Element]], bucket: (Element) -> Int,
        by areInIncreasingOrder: @escaping @Sendable (Element, Element) -> Bool
    ) async -> [Element] {
        var starts = [Int](repeating: 0, count: 257)
        for part in parts { for element in part { starts[bucket(element) + 1] += 1 } }
        for index in 1...256 { starts[index] += starts[index - 1] }
        let count = starts[256]
        guard count > 0 else { return [] }
        // Dealt into memory of their own: the buckets' children sort in place there, each in its own
        // range, and the memory lives from before the first child starts to after the last one ends.
        let storage = UnsafeMutableBufferPointer<Element>.allocate(capacity: count)
        defer { storage.deallocate() }
        var next = starts
        for part in parts {
            for element in part {
                let index = bucket(element)
                (storage.baseAddress! + next[index]).initialize(to: element)
                next[index] += 1
            }
        }
        let bounds = starts
        let all = DisjointBuffer(buffer: storage)
        _ = await ParallelWork.map(0..<256) { (index: Int) -> Void in
            var slice = all.slice(bounds[index]..<bounds[index + 1])
            slice.sort(by: areInIncreasingOrder)
        }
        return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: storage.baseAddress!, count: count)
            initialized = count
        }
    }
}
