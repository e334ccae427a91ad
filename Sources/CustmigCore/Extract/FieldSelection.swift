/// The source fields a reader makes values of: the ones a mapping reads. A DEBMAS07 IDoc or a wide
/// CSV export carries many fields no mapping reads, and decoding each into a string, then releasing
/// it, cost the map as much as the fields it uses.
///
/// Only leaf values are left out: an element with child elements or attributes is always kept, so
/// records keep their shape (lists stay lists), and an element's own text (`#text`) is always kept.
public struct FieldSelection: Sendable, Hashable {
    /// Names of record fields kept at any depth: CSV columns, XML leaf elements, `@attribute` keys.
    public var record: Set<String>
    /// Names of the control record's fields kept (an IDoc's EDI_DC40, read as `control.NAME`).
    public var control: Set<String>

    public init(record: Set<String>, control: Set<String> = []) {
        self.record = record
        self.control = control
    }

    /// Adds a field as a mapping names it: `NAME1`, a path `Addresses/Address/Street` (each step),
    /// or `control.DOCNUM`.
    mutating func add(_ reference: String) {
        if reference.hasPrefix("control.") {
            control.insert(String(reference.dropFirst(8)))
            return
        }
        for step in reference.split(separator: "/", omittingEmptySubsequences: true) { record.insert(String(step)) }
    }
}
