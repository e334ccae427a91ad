/// The mapped values of one record by canonical path (`name1`, `addresses.country`,
/// `sales_areas.partners.role`), each with every value it has (one per list element): what rules read.
/// Only the paths some rule reads are kept (``FieldPlan/readByRules``), in one flat array reserved up
/// front: a record has a handful of them, so a scan costs less than hashing every path on the way in,
/// and three arrays grown from empty cost ~10 allocations per record.
struct CanonicalValues {
    fileprivate struct Entry {
        let path: String
        /// The path's UTF-8 length: most paths differ from the one looked for in length, a cheaper test
        /// than comparing the strings.
        let length: Int
        let value: String
    }

    fileprivate var entries: [Entry] = []

    init(capacity: Int = 8) { entries.reserveCapacity(capacity) }

    mutating func add(_ path: String, _ value: String) {
        entries.append(Entry(path: path, length: path.utf8.count, value: value))
    }

    /// Every value at `path`, in the order added, walked in place (a rule asks for them once or twice
    /// per record; an array each was one more allocation each time).
    func all(_ path: String) -> Values { Values(entries: entries, path: path, length: path.utf8.count) }

    struct Values: Sequence {
        fileprivate let entries: [Entry]
        fileprivate let path: String
        fileprivate let length: Int

        struct Iterator: IteratorProtocol {
            fileprivate let values: Values
            fileprivate var index = 0

            mutating func next() -> String? {
                let entries = values.entries
                while index < entries.count {
                    defer { index += 1 }
                    if entries[index].length == values.length && entries[index].path == values.path {
                        return entries[index].value
                    }
                }
                return nil
            }
        }

        func makeIterator() -> Iterator { Iterator(values: self) }
    }
}
