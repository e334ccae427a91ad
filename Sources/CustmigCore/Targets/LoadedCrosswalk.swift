/// The crosswalk as the dry run holds it: canonical key -> target id and the hashes of what custmig
/// loaded last. One dictionary of positions and plain arrays beside it: two dictionaries keyed by a
/// million keys (ids, hashes) took ~180 MB, most of it empty buckets.
public struct LoadedCrosswalk: Sendable {
    private var positions: [String: Int32] = [:]
    private var ids: [String] = []
    private var imageHashes: [Hash128] = []
    private var sourceHashes: [Hash128] = []
    /// Bit 0: an image hash is recorded; bit 1: a source hash is.
    private var recorded: [UInt8] = []

    init(capacity: Int = 0) {
        positions.reserveCapacity(capacity)
        ids.reserveCapacity(capacity)
        imageHashes.reserveCapacity(capacity)
        sourceHashes.reserveCapacity(capacity)
        recorded.reserveCapacity(capacity)
    }

    /// Records (or replaces) one entry.
    mutating func add(key: String, id: String, image: Hash128?, source: Hash128?) {
        let zero = Hash128.zero
        let flags = UInt8(image == nil ? 0 : 1) | UInt8(source == nil ? 0 : 2)
        if let position = positions[key] {
            let at = Int(position)
            (ids[at], imageHashes[at], sourceHashes[at], recorded[at]) = (id, image ?? zero, source ?? zero, flags)
            return
        }
        positions[key] = Int32(ids.count)
        ids.append(id)
        imageHashes.append(image ?? zero)
        sourceHashes.append(source ?? zero)
        recorded.append(flags)
    }

    /// The target id custmig loaded `key` as.
    subscript(key: String) -> String? { positions[key].map { ids[Int($0)] } }

    /// The hashes of what custmig loaded last for `key` (nil when none is recorded).
    func hashes(_ key: String) -> LoadedHashes? {
        guard let position = positions[key].map(Int.init), recorded[position] & 1 != 0 else { return nil }
        return LoadedHashes(
            image: imageHashes[position], source: recorded[position] & 2 != 0 ? sourceHashes[position] : nil)
    }

    var count: Int { ids.count }

    /// Every target id in the crosswalk.
    var targetIds: [String] { ids }

    /// The entries whose keys are not among `present`, in no particular order: one lookup per present
    /// key and a pass over the entries, instead of a set of every key.
    func entries(notIn present: [AnySequence<String>]) -> [(key: String, id: String)] {
        var seen = [Bool](repeating: false, count: ids.count)
        for keys in present {
            for key in keys { if let position = positions[key] { seen[Int(position)] = true } }
        }
        return positions.compactMap { seen[Int($0.value)] ? nil : ($0.key, ids[Int($0.value)]) }
    }
}
