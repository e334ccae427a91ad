/// Bounded-memory heavy hitters (Metwally et al.'s Space-Saving): the top values of a stream whose
/// distinct values do not fit in memory, each count over-estimated by at most its `error`.
///
/// Items live in a min-heap by count, so a miss replaces the least frequent item in O(log k). An item
/// is found by scanning the heap's keys (a few dozen, eight at a time), not through a hash table that
/// every move in the heap had to update; and a value is kept as bytes in its slot, not as a `String`
/// made (and freed) for every miss. Together they were ~9% of profiling a CSV of long-tailed columns.
struct SpaceSaving: Sendable {
    struct Item: Sendable {
        var key: UInt64
        var value: String
        var count: Int
        /// Upper bound of the over-count (the count the item inherited when it took a slot).
        var error: Int
    }

    /// An item in the heap with its value aside (in ``bytes``, at its `slot`).
    private struct Entry {
        var count: Int
        var error: Int
        var slot: Int32
    }

    /// The longest value kept, in bytes (longer values are cut, as the report shows them).
    static let valueBytes = 200

    let capacity: Int
    /// The heap, and each heap position's key beside it (scanned to find an item).
    private var entries: [Entry] = []
    private var keys: [UInt64] = []
    /// Values by slot, ``valueBytes`` each; an evicted item's slot goes to the item that replaces it.
    /// Grows with the heap: a sketch per field of a record with 100,000 fields must cost little until used.
    private var bytes: [UInt8] = []
    private var lengths: [UInt8] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The items in heap order (the least frequent first).
    var heap: [Item] {
        entries.indices.map { index in
            let entry = entries[index]
            return Item(key: keys[index], value: value(in: entry.slot), count: entry.count, error: entry.error)
        }
    }

    private func value(in slot: Int32) -> String {
        let start = Int(slot) * Self.valueBytes
        let length = Int(lengths[Int(slot)])
        return String(decoding: bytes[start..<start + length], as: UTF8.self)
    }

    /// Counts one occurrence of the value with these UTF-8 bytes (cut to ``valueBytes``).
    @inline(__always)
    mutating func add(key: UInt64, count: Int = 1, bytes base: UnsafePointer<UInt8>, length: Int) {
        add(key: key, count: count) { sketch, slot in
            sketch.store(UnsafeBufferPointer(start: base, count: min(length, Self.valueBytes)), in: slot)
        }
    }

    /// Counts one occurrence; `value` is only called when the item takes a new slot.
    mutating func add(key: UInt64, count: Int = 1, value: () -> String) {
        add(key: key, count: count) { sketch, slot in
            var text = value()
            text.withUTF8 { sketch.store(UnsafeBufferPointer(rebasing: $0.prefix(Self.valueBytes)), in: slot) }
        }
    }

    @inline(__always)
    private mutating func add(key: UInt64, count: Int, storeValue: (inout SpaceSaving, Int32) -> Void) {
        if let position = position(of: key) {
            entries[position].count += count
            siftDown(position)
            return
        }
        if entries.count < capacity {
            let slot = Int32(entries.count)
            bytes.append(contentsOf: repeatElement(0, count: Self.valueBytes))
            lengths.append(0)
            storeValue(&self, slot)
            entries.append(Entry(count: count, error: 0, slot: slot))
            keys.append(key)
            siftUp(entries.count - 1)
            return
        }
        let evicted = entries[0]
        storeValue(&self, evicted.slot)
        entries[0] = Entry(count: evicted.count + count, error: evicted.count, slot: evicted.slot)
        keys[0] = key
        siftDown(0)
    }

    private mutating func store(_ value: UnsafeBufferPointer<UInt8>, in slot: Int32) {
        let start = Int(slot) * Self.valueBytes
        bytes.withUnsafeMutableBufferPointer { storage in
            guard let source = value.baseAddress, value.count > 0 else { return }
            (storage.baseAddress! + start).update(from: source, count: value.count)
        }
        lengths[Int(slot)] = UInt8(value.count)
    }

    /// The heap position of `key`, eight keys at a time.
    @inline(__always)
    private func position(of key: UInt64) -> Int? {
        keys.withUnsafeBufferPointer { keys -> Int? in
            guard let base = keys.baseAddress else { return nil }
            let count = keys.count
            let wanted = SIMD8<UInt64>(repeating: key)
            var index = 0
            while index + 8 <= count {
                let group = UnsafeRawPointer(base + index).loadUnaligned(as: SIMD8<UInt64>.self)
                if any(group .== wanted) {
                    for lane in 0..<8 where group[lane] == key { return index + lane }
                }
                index += 8
            }
            while index < count {
                if base[index] == key { return index }
                index += 1
            }
            return nil
        }
    }

    mutating func merge(_ other: SpaceSaving) {
        for item in other.heap {
            if let position = position(of: item.key) {
                entries[position].count += item.count
                entries[position].error += item.error
                siftDown(position)
            } else {
                add(key: item.key, count: item.count, value: { item.value })
                if let position = position(of: item.key) { entries[position].error += item.error }
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
            entries.swapAt(child, parent)
            keys.swapAt(child, parent)
            child = parent
        }
    }

    /// Moves the item at `start` down to its place, shifting smaller children up into the hole.
    private mutating func siftDown(_ start: Int) {
        let count = entries.count
        var parent = start
        var left = 2 * parent + 1
        guard left < count else { return }
        let moving = entries[start]
        let movingKey = keys[start]
        while left < count {
            var smallest = left
            let right = left + 1
            if right < count && entries[right].count < entries[left].count { smallest = right }
            guard entries[smallest].count < moving.count else { break }
            entries[parent] = entries[smallest]
            keys[parent] = keys[smallest]
            parent = smallest
            left = 2 * parent + 1
        }
        if parent != start {
            entries[parent] = moving
            keys[parent] = movingKey
        }
    }
}
