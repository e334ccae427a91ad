/// An open-addressing hash table keyed by 64-bit fingerprints that are already well mixed.
///
/// Swift's `Dictionary` hashes its keys again with SipHash, which dominated the profiler's time;
/// fingerprints need no second hash. Linear probing, power-of-two capacity, at most 3/4 full.
/// Key 0 is stored aside, so 0 can serve as the empty marker. A set (`keysOnly`) keeps no values: an
/// insert then touches one array, not two (a profile's exact distinct count inserts every new value).
struct FingerprintTable {
    private var keys: [UInt64]
    /// Empty in a set.
    private var values: [Int32]
    private let keysOnly: Bool
    private var mask: Int
    private(set) var count = 0
    private var zeroValue: Int32?

    init(capacity: Int = 16, keysOnly: Bool = false) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        self.keysOnly = keysOnly
        values = keysOnly ? [] : [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    func value(for key: UInt64) -> Int32? {
        if key == 0 { return zeroValue }
        return keys.withUnsafeBufferPointer { keys -> Int32? in
            var slot = Int(truncatingIfNeeded: key) & mask
            while true {
                let found = keys[slot]
                if found == key { return keysOnly ? 0 : values[slot] }
                if found == 0 { return nil }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Sets the value for `key`; returns true when the key is new.
    @inline(__always)
    @discardableResult
    mutating func set(_ value: Int32, for key: UInt64) -> Bool {
        if key == 0 {
            let isNew = zeroValue == nil
            if isNew { count += 1 }
            zeroValue = value
            return isNew
        }
        if (count + 1) * 4 > keys.count * 3 { grow() }
        var slot = Int(truncatingIfNeeded: key) & mask
        let isNew: Bool = keys.withUnsafeMutableBufferPointer { keys in
            while true {
                let found = keys[slot]
                if found == key { return false }
                if found == 0 {
                    keys[slot] = key
                    return true
                }
                slot = (slot + 1) & mask
            }
        }
        if !keysOnly { values[slot] = value }
        if isNew { count += 1 }
        return isNew
    }

    /// Inserts a key with no value (set use); returns true when it was new.
    @inline(__always)
    @discardableResult
    mutating func insert(_ key: UInt64) -> Bool { set(0, for: key) }

    func contains(_ key: UInt64) -> Bool { value(for: key) != nil }

    /// Calls `body` for every key.
    func forEachKey(_ body: (UInt64) -> Void) {
        if zeroValue != nil { body(0) }
        for key in keys where key != 0 { body(key) }
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        let size = keys.count * 2
        keys = [UInt64](repeating: 0, count: size)
        values = keysOnly ? [] : [Int32](repeating: 0, count: size)
        mask = size - 1
        let zero = zeroValue
        count = zero == nil ? 0 : 1
        for index in 0..<oldKeys.count where oldKeys[index] != 0 {
            var slot = Int(truncatingIfNeeded: oldKeys[index]) & mask
            while keys[slot] != 0 { slot = (slot + 1) & mask }
            keys[slot] = oldKeys[index]
            if !keysOnly { values[slot] = oldValues[index] }
            count += 1
        }
    }
}
