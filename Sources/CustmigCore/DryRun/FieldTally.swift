/// What a plan's inserts fill, counted in one pass over each image: how many inserts fill each field
/// (by ownership name, for the report) and each image's field-level export size (lines and bytes, for
/// the size the reports state). This runs for every field of every insert: paths are named through
/// their shape (``PathShapeCache``), without building a string.
struct FieldTally {
    /// Counts by slot; `names[slot]` is the slot's ownership name.
    private(set) var counts: [Int] = []
    private var names: [String] = []
    private var shapes = PathShapeCache<Int>()

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
    /// Shape hash -> entries with that hash (the shape's bytes are compared: a collision only costs time).
    private var entries: [UInt64: [(shape: [UInt8], value: Value)]] = [:]

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
        // FNV-1a over the shape's bytes.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in head { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for byte in tail { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        if let known = entries[hash] {
            for entry in known
            where entry.shape.count == head.count + tail.count
                && entry.shape[..<head.count].elementsEqual(head) && entry.shape[head.count...].elementsEqual(tail)
            {
                return entry.value
            }
        }
        let value = make(String(decoding: path, as: UTF8.self))
        entries[hash, default: []].append((Array(head) + Array(tail), value))
        return value
    }
}
