/// One record of an extract, as every reader produces it.
///
/// The shape is the same for CSV and XML (see PRODUCT.md, "Record shape"): a CSV record is column ->
/// string; an XML record is its element's children, where a leaf is a string (`<X/>` is `""`, an
/// absent element is no key), an element with children is always a list of records, and attributes
/// are `@name` keys. Field order is the order read.
public struct Record: Sendable, Hashable {
    public var fields: [Field]
    /// Where the record starts in its extract (child records carry their parent's file).
    public var position: SourcePosition
    /// Fields of the enclosing control record (an IDoc's EDI_DC40), which mappings may read.
    public var control: [Field]

    public init(fields: [Field] = [], position: SourcePosition, control: [Field] = []) {
        self.fields = fields
        self.position = position
        self.control = control
    }

    /// The first value named `name`, if any.
    public subscript(name: String) -> FieldValue? {
        fields.first { $0.name == name }?.value
    }
}

/// A named value within a ``Record``.
public struct Field: Sendable, Hashable {
    public var name: String
    public var value: FieldValue

    public init(_ name: String, _ value: FieldValue) {
        self.name = name
        self.value = value
    }
}

/// A leaf string, or a list of child records (repeated XML segments).
public enum FieldValue: Sendable, Hashable {
    case text(String)
    case list([Record])

    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    public var records: [Record]? {
        if case .list(let value) = self { return value }
        return nil
    }
}
