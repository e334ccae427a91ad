/// The fingerprints of a key-like field's values (``FieldStatistics``), in blocks of up to
/// ``blockSize``: one growing list copied itself at each doubling (8 MB per key column and worker of a
/// 1M-row profile, on fresh pages), and merging two workers' lists copied one into the other; blocks
/// are never copied.
struct KeyPrintList: Sendable {
    static let blockSize = 65_536

    /// Filled blocks, in order; a merge adds another list's blocks as they are.
    private(set) var blocks: [[UInt64]] = []
    private var current: [UInt64] = []
    private var stored = 0
    private var storedCapacity = 0

    var count: Int { stored + current.count }
    /// What the list holds in memory, in fingerprints (``KeyPrintBudget``).
    var capacity: Int { storedCapacity + current.capacity }

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
        storedCapacity += current.capacity
        blocks.append(current)
        current = []
        current.reserveCapacity(Self.blockSize)
    }

    /// Adds another list's fingerprints (another worker's, of the same field).
    mutating func merge(_ other: KeyPrintList) {
        for block in other.allBlocks {
            stored += block.count
            storedCapacity += block.capacity
            blocks.append(block)
        }
    }
}
