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

    /// An item in the heap with its value aside (``values``), so that moving it is a plain copy: the
    /// heap is reordered for nearly every new value of a unique column, and moving strings retained
    /// and released each one.
    private struct Entry {
        var key: UInt64
        var count: Int
        var error: Int
        var value: Int32
    }

    let capacity: Int
    private var entries: [Entry] = []
    /// Values by the slot their entry names; an evicted item's slot goes to the item that replaces it.
    private var values: [String] = []
    /// Grows with the heap: a sketch per field of a record with 100,000 fields must cost little until used.
    private var slots = FingerprintTable()

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The items in heap order (the least frequent first).
    var heap: [Item] {
        entries.map { Item(key: $0.key, value: values[Int($0.value)], count: $0.count, error: $0.error) }
    }

    /// Counts one occurrence; `value` is only called when the item takes a new slot.
    @inline(__always)
    mutating func add(key: UInt64, count: Int = 1, value: () -> String) {
        if let found = slots.value(for: key) {
            let slot = Int(found)
            entries[slot].count += count
            siftDown(slot)
            return
        }
        if entries.count < capacity {
            values.append(value())
            entries.append(Entry(key: key, count: count, error: 0, value: Int32(values.count - 1)))
            slots.set(Int32(entries.count - 1), for: key)
            siftUp(entries.count - 1)
            return
        }
        let evicted = entries[0]
        slots.remove(evicted.key)
        values[Int(evicted.value)] = value()
        entries[0] = Entry(key: key, count: evicted.count + count, error: evicted.count, value: evicted.value)
        slots.set(0, for: key)
        siftDown(0)
    }

    mutating func merge(_ other: SpaceSaving) {
        for item in other.heap {
            if let found = slots.value(for: item.key) {
                let slot = Int(found)
                entries[slot].count += item.count
                entries[slot].error += item.error
                siftDown(slot)
            } else {
                add(key: item.key, count: item.count, value: { item.value })
                if let slot = slots.value(for: item.key) { entries[Int(slot)].error += item.error }
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
            guard entries[child].count < entries[parent].count else { return }
            swapItems(child, parent)
            child = parent
        }
    }

    /// Moves the item at `start` down to its place, shifting smaller children up into the hole
    /// (one table update per moved item, not two per swap).
    private mutating func siftDown(_ start: Int) {
        let count = entries.count
        var parent = start
        var left = 2 * parent + 1
        guard left < count else { return }
        let moving = entries[start]
        while left < count {
            var smallest = left
            let right = left + 1
            if right < count && entries[right].count < entries[left].count { smallest = right }
            guard entries[smallest].count < moving.count else { break }
            entries[parent] = entries[smallest]
            slots.set(Int32(parent), for: entries[parent].key)
            parent = smallest
            left = 2 * parent + 1
        }
        if parent != start {
            entries[parent] = moving
            slots.set(Int32(parent), for: moving.key)
        }
    }

    private mutating func swapItems(_ first: Int, _ second: Int) {
        entries.swapAt(first, second)
        slots.set(Int32(first), for: entries[first].key)
        slots.set(Int32(second), for: entries[second].key)
    }
}
