/// What a plan's inserts fill, counted in one pass over each image: how many inserts fill each field
/// (by ownership name, for the report) and each image's field-level export size (lines and bytes, for
/// the size the reports state). This runs for every field of every insert: paths are named through
/// their shape (``PathShapeCache``), without building a string.
struct FieldTally {
    /// Counts by slot; `names[slot]` is the slot's ownership name.
    private(set) var counts: [Int] = []
    private var names: [String] = []
    private var shapes = PathShapeCache<Int>()
    /// Slots of a new customer's values by position: [0] the customer row's columns, [1 + t] those of
    /// child table t (see ``NewCustomerImage``); -1 until seen.
    private var positionSlots = ([CustomerImage.customerColumns.count] + BoundRows.childColumns.map(\.count)).map {
        [Int](repeating: -1, count: $0)
    }

    /// Counts the image's filled fields; returns its field-level size.
    mutating func add(_ image: CustomerImage) -> (count: Int, bytes: Int) {
        var bytes = 0
        for (path, value) in image.values {
            var path = path
            let valueBytes = value.utf8.count
            path.withUTF8 { pathBytes in
                bytes += CustomerImage.exportBytes(path: pathBytes, valueBytes: valueBytes)
                guard valueBytes > 0, !Self.isExternalId(pathBytes) else { return }
                let slot = slot(of: pathBytes)
                counts[slot] += 1
            }
        }
        return (image.values.count, bytes)
    }

    /// The same for a new customer's image by position.
    mutating func add(_ image: NewCustomerImage) -> (count: Int, bytes: Int) {
        image.forEachValue { table, _, column, value in
            guard !value.isEmpty, table != nil || column != NewCustomerImage.externalId else { return }
            let place = table.map { $0 + 1 } ?? 0
            var slot = positionSlots[place][column]
            if slot < 0 {
                slot = names.count
                names.append(CustomerImage.ownershipName(NewCustomerImage.path(table: table, row: "", column: column)))
                counts.append(0)
                positionSlots[place][column] = slot
            }
            counts[slot] += 1
        }
        return image.fieldSize
    }

    /// The counts by ownership name.
    var byName: [String: Int] {
        var result: [String: Int] = [:]
        for (slot, count) in counts.enumerated() where count > 0 { result[names[slot], default: 0] += count }
        return result
    }

    private static func isExternalId(_ path: UnsafeBufferPointer<UInt8>) -> Bool {
        path.elementsEqual("external_id".utf8)
    }

    /// A slot per shape (two shapes of one name count apart and are summed in ``byName``).
    private mutating func slot(of path: UnsafeBufferPointer<UInt8>) -> Int {
        let next = names.count
        var made: String?
        let slot = shapes.value(for: path) { path in
            made = CustomerImage.ownershipName(path)
            return next
        }
        if let made {
            names.append(made)
            counts.append(0)
        }
        return slot
    }
}

/// What is worked out once per shape of path (the part before the first `[` and after the last `]`:
/// paths name child rows by id, `address[A1].city`), looked up from a path's bytes without building a
/// string. Planning works out a field's name or code list for every value of every customer.
struct PathShapeCache<Value> {
    /// An open-addressed table of shape hashes (0: empty), each with its entry's index: a path's lookup
    /// costs its hash and a probe, not a `Dictionary`'s SipHash of it (a plan looks up ~25 paths per
    /// customer, and a run sees a few dozen shapes).
    private var hashes = [UInt64](repeating: 0, count: 256)
    private var indexes = [Int32](repeating: 0, count: 256)
    private var entries: [(shape: [UInt8], value: Value)] = []

    /// The value for the path's shape, made from the path by `make` the first time the shape is seen.
    mutating func value(for path: UnsafeBufferPointer<UInt8>, make: (String) -> Value) -> Value {
        let open = path.firstIndex(of: UInt8(ascii: "["))
        let close = path.lastIndex(of: UInt8(ascii: "]"))
        let head: UnsafeBufferPointer<UInt8>
        let tail: UnsafeBufferPointer<UInt8>
        if let open, let close, close >= open {
            head = UnsafeBufferPointer(rebasing: path[...open])
            tail = UnsafeBufferPointer(rebasing: path[close...])
        } else {
            head = path
            tail = UnsafeBufferPointer(rebasing: path[path.endIndex...])
        }
        // FNV-1a over the shape's bytes (never 0, which marks an empty place).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in head { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for byte in tail { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash |= 1
        let mask = hashes.count - 1
        var place = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        while hashes[place] != 0 {
            if hashes[place] == hash {
                let entry = entries[Int(indexes[place])]
                // A collision of hashes only costs a comparison (and goes on probing).
                if entry.shape.count == head.count + tail.count
                    && entry.shape[..<head.count].elementsEqual(head) && entry.shape[head.count...].elementsEqual(tail)
                {
                    return entry.value
                }
            }
            place = (place + 1) & mask
        }
        let value = make(String(decoding: path, as: UTF8.self))
        entries.append((Array(head) + Array(tail), value))
        hashes[place] = hash
        indexes[place] = Int32(entries.count - 1)
        if entries.count * 2 > hashes.count { grow() }
        return value
    }

    /// Doubles the table (kept at most half full) and places every entry again.
    private mutating func grow() {
        let old = (hashes, indexes)
        hashes = [UInt64](repeating: 0, count: old.0.count * 2)
        indexes = [Int32](repeating: 0, count: old.0.count * 2)
        let mask = hashes.count - 1
        for (hash, index) in zip(old.0, old.1) where hash != 0 {
            var place = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
            while hashes[place] != 0 { place = (place + 1) & mask }
            hashes[place] = hash
            indexes[place] = index
        }
    }
}
