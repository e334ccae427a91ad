/// Sorting millions of small values on every core: they are dealt into 256 buckets by a key that
/// agrees with the order (every element of bucket i sorts before every element of bucket i + 1), and
/// each bucket is sorted on its own. Elements of one bucket keep their given order before sorting, so
/// the result is the same as `sort(by:)`'s for any order that breaks all ties.
enum ParallelSort {
    /// The parts' elements, in the parts' order, sorted. Dealt straight from the parts: no joined copy
    /// beside the sorted one (five million blocking entries are 80 MB each).
    static func sorted<Element: Sendable>(
        _ parts: [[Element]], bucket: (Element) -> Int, by areInIncreasingOrder: @Sendable (Element, Element) -> Bool
    ) -> [Element] {
        guard let first = parts.lazy.compactMap(\.first).first else { return [] }
        var starts = [Int](repeating: 0, count: 257)
        for part in parts { for element in part { starts[bucket(element) + 1] += 1 } }
        for index in 1...256 { starts[index] += starts[index - 1] }
        var next = starts
        var dealt = [Element](repeating: first, count: starts[256])
        for part in parts {
            for element in part {
                let index = bucket(element)
                dealt[next[index]] = element
                next[index] += 1
            }
        }
        let bounds = starts
        dealt.withUnsafeMutableBufferPointer { (buffer: inout UnsafeMutableBufferPointer<Element>) -> Void in
            let all = DisjointBuffer(buffer: buffer)
            // Bucket i is sorted by one worker, within its own range of the buffer.
            _ = ParallelMap.map(0..<256) { (index: Int) -> Void in
                var slice = all.slice(bounds[index]..<bounds[index + 1])
                slice.sort(by: areInIncreasingOrder)
            }
        }
        return dealt
    }
}
