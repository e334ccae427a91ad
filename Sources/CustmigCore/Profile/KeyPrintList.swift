/// The fingerprints of a key-like field's values (``FieldStatistics``), in blocks of up to
/// ``blockSize``: one growing list copied itself at each doubling (8 MB per key column and worker of a
/// 1M-row profile, on fresh pages), and merging two workers' lists copied one into the other; blocks
/// are never copied.
struct KeyPrintList: Sendable {
    static let blockSize = 65_536

    /// Filled blocks, in order; a merge adds another list's blocks as they are.
    private(set) var blocks: [[UInt64]] = []
    private var current: [UInt64] = []
    /// Set once `current` is reserved whole (every block after a list's first).
    private var currentReserved = false
    private var stored = 0
    private var storedCapacity = 0

    var count: Int { stored + current.count }

    /// What the list holds in memory, in fingerprints (``KeyPrintBudget``). Counted as the list grows, not
    /// read from the arrays: an array's capacity depends on the allocator's rounding, and the budget's
    /// choice between two equally long lists (the first column's goes first) must not.
    var capacity: Int { storedCapacity + currentCapacity }

    private var currentCapacity: Int { currentReserved ? Self.blockSize : Self.grown(current.count) }

    /// The room a list grown by doubling has for `count` fingerprints.
    static func grown(_ count: Int) -> Int { count == 0 ? 0 : 1 << (Int.bitWidth - (count - 1).leadingZeroBitCount) }

    /// Every block, the one being filled last.
    var allBlocks: [[UInt64]] { current.isEmpty ? blocks : blocks + [current] }

    @inline(__always)
    mutating func append(_ print: UInt64) {
        if current.count == Self.blockSize { seal() }
        current.append(print)
    }

    /// Starts a new block. The first grows as a field's list must (most fields stop being key-like in
    /// their first block); later ones are reserved whole.
    private mutating func seal() {
        stored += current.count
        storedCapacity += currentCapacity
        blocks.append(current)
        current = []
        current.reserveCapacity(Self.blockSize)
        currentReserved = true
    }

    /// Adds another list's fingerprints (another worker's, of the same field).
    mutating func merge(_ other: KeyPrintList) {
        blocks.append(contentsOf: other.blocks)
        stored += other.stored
        storedCapacity += other.storedCapacity
        if !other.current.isEmpty {
            blocks.append(other.current)
            stored += other.current.count
            storedCapacity += other.currentCapacity
        }
    }
}
