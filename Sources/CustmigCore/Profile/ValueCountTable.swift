/// Counts occurrences per fingerprint, with the key, its slot and its count in one 16-byte entry,
/// so that a repeated value costs one cache line (the profiler's most frequent operation).
///
/// A bitmap with 4 bits per entry, picked by a key's top bits, says which keys may be present: in a nearly
/// unique column most lookups are for new values, and the bitmap (a quarter of the table's size, in the
/// core's cache) answers them without a probe into a table of up to 256 KB.
struct ValueCountTable {
    struct Entry {
        var key: UInt64
        var slot: Int32
        var count: Int32
    }

    private var entries: [Entry]
    private var mask: Int
    private var filter: [UInt64]
    private var filterShift: UInt64
    private(set) var count = 0
    /// Key 0 lives aside so that 0 can mark an empty entry.
    private var zero: Entry?

    init(capacity: Int) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        entries = [Entry](repeating: Entry(key: 0, slot: 0, count: 0), count: size)
        mask = size - 1
        (filter, filterShift) = Self.emptyFilter(slots: size)
    }

    /// 4 bits per slot (at least one word), indexed by the key's top bits.
    private static func emptyFilter(slots: Int) -> ([UInt64], UInt64) {
        let bits = slots * 4
        return ([UInt64](repeating: 0, count: bits / 64), UInt64(64 - bits.trailingZeroBitCount))
    }

    @inline(__always)
    private mutating func mark(_ key: UInt64) {
        let bit = key >> filterShift
        filter[Int(bit >> 6)] |= 1 << (bit & 63)
    }

    /// Adds one occurrence when `key` is known; returns false (and changes nothing) when it is not.
    @inline(__always)
    mutating func increment(_ key: UInt64) -> Bool {
        if key == 0 {
            guard zero != nil else { return false }
            zero!.count += 1
            return true
        }
        let bit = key >> filterShift
        if filter[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return false }
        let mask = self.mask
        return entries.withUnsafeMutableBufferPointer { entries in
            var index = Int(truncatingIfNeeded: key) & mask
            while true {
                let found = entries[index].key
                if found == key {
                    entries[index].count += 1
                    return true
                }
                if found == 0 { return false }
                index = (index + 1) & mask
            }
        }
    }

    /// Adds `count` occurrences of a key known to be absent or present, giving new keys `slot`.
    mutating func add(_ key: UInt64, slot: Int32, count: Int32) {
        if key == 0 {
            if zero == nil { zero = Entry(key: 0, slot: slot, count: 0) }
            zero!.count += count
            return
        }
        if (self.count + 1) * 4 > entries.count * 3 { grow() }
        var index = Int(truncatingIfNeeded: key) & mask
        while entries[index].key != 0 && entries[index].key != key { index = (index + 1) & mask }
        if entries[index].key == key {
            entries[index].count += count
        } else {
            entries[index] = Entry(key: key, slot: slot, count: count)
            mark(key)
            self.count += 1
        }
    }

    func entry(_ key: UInt64) -> Entry? {
        if key == 0 { return zero }
        var index = Int(truncatingIfNeeded: key) & mask
        while entries[index].key != 0 {
            if entries[index].key == key { return entries[index] }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Every entry, in no particular order.
    var all: [Entry] {
        var result = entries.filter { $0.key != 0 }
        if let zero { result.append(zero) }
        return result
    }

    private mutating func grow() {
        let old = entries
        entries = [Entry](repeating: Entry(key: 0, slot: 0, count: 0), count: old.count * 2)
        mask = entries.count - 1
        (filter, filterShift) = Self.emptyFilter(slots: entries.count)
        for entry in old where entry.key != 0 {
            mark(entry.key)
            var index = Int(truncatingIfNeeded: entry.key) & mask
            while entries[index].key != 0 { index = (index + 1) & mask }
            entries[index] = entry
        }
    }
}
