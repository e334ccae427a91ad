/// Bounded-memory heavy hitters (Metwally et al.'s Space-Saving): the top values of a stream whose
/// distinct values do not fit in memory, each count over-estimated by at most its `error`.
///
/// Items live in a min-heap by count, so a miss replaces the least frequent item in O(log k).
struct SpaceSaving: Sendable {
    struct Item: Sendable {
        var key: UInt64
        var value: String
        var count: Int
        /// Upper bound of the over-count (the count the item inherited when it took a slot).
        var error: Int
    }

    let capacity: Int
    private(set) var heap: [Item] = []
    /// Grows with the heap: a sketch per field of a record with 100,000 fields must cost little until used.
    private var slots = FingerprintTable()

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Counts one occurrence; `value` is only called when the item takes a new slot.
    @inline(__always)
    mutating func add(key: UInt64, count: Int = 1, value: () -> String) {
        if let found = slots.value(for: key) {
            let slot = Int(found)
            heap[slot].count += count
            siftDown(slot)
            return
        }
        if heap.count < capacity {
            heap.append(Item(key: key, value: value(), count: count, error: 0))
            slots.set(Int32(heap.count - 1), for: key)
            siftUp(heap.count - 1)
            return
        }
        let evicted = heap[0]
        slots.remove(evicted.key)
        heap[0] = Item(key: key, value: value(), count: evicted.count + count, error: evicted.count)
        slots.set(0, for: key)
        siftDown(0)
    }

    mutating func merge(_ other: SpaceSaving) {
        for item in other.heap {
            if let found = slots.value(for: item.key) {
                let slot = Int(found)
                heap[slot].count += item.count
                heap[slot].error += item.error
                siftDown(slot)
            } else {
                add(key: item.key, count: item.count, value: { item.value })
                if let slot = slots.value(for: item.key) { heap[Int(slot)].error += item.error }
            }
        }
    }

    /// Items by descending count.
    var sorted: [Item] {
        heap.sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].count < heap[parent].count else { return }
            swapItems(child, parent)
            child = parent
        }
    }

    /// Moves the item at `start` down to its place, shifting smaller children up into the hole
    /// (one table update per moved item, not two per swap).
    private mutating func siftDown(_ start: Int) {
        let count = heap.count
        var parent = start
        var left = 2 * parent + 1
        guard left < count else { return }
        let moving = heap[start]
        while left < count {
            var smallest = left
            let right = left + 1
            if right < count && heap[right].count < heap[left].count { smallest = right }
            guard heap[smallest].count < moving.count else { break }
            heap[parent] = heap[smallest]
            slots.set(Int32(parent), for: heap[parent].key)
            parent = smallest
            left = 2 * parent + 1
        }
        if parent != start {
            heap[parent] = moving
            slots.set(Int32(parent), for: moving.key)
        }
    }

    private mutating func swapItems(_ first: Int, _ second: Int) {
        heap.swapAt(first, second)
        slots.set(Int32(first), for: heap[first].key)
        slots.set(Int32(second), for: heap[second].key)
    }
}
