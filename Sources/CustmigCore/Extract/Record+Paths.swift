/// Reading a ``Record`` by a `/`-separated path, as mappings name XML fields of any shape:
/// `Addresses/Address/Street`, `Country/@code`, `@id`.
extension Record {
    /// The text at `path`. Each step into a list reads its first segment (XPath's string value of a
    /// path); an element that has attributes as well as text gives its text (`#text`), so
    /// `<Country code="DE">Germany</Country>` reads as `Germany` and `Country/@code` as `DE`.
    public func text(atPath path: String) -> String? {
        guard path.utf8.contains(UInt8(ascii: "/")) else { return self[path]?.elementText }
        var record = self
        let steps = path.split(separator: "/", omittingEmptySubsequences: true)
        for (index, step) in steps.enumerated() {
            guard let value = record[String(step)] else { return nil }
            if index == steps.count - 1 { return value.elementText }
            guard let first = value.records?.first else { return nil }
            record = first
        }
        return nil
    }

    /// Every segment at `path` (`E1KNVVM`, `Addresses/Address`), in document order, across all the
    /// lists on the way.
    public func segments(atPath path: String) -> [Record] {
        guard path.utf8.contains(UInt8(ascii: "/")) else { return self[path]?.records ?? [] }
        let steps = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !steps.isEmpty else { return [] }
        var level = [self]
        for step in steps {
            level = level.flatMap { $0[String(step)]?.records ?? [] }
        }
        return level
    }
}

extension FieldValue {
    /// A leaf's text, or the text of an element that also has attributes or children (`#text` of its
    /// first segment).
    public var elementText: String? {
        switch self {
        case .text(let value): return value
        case .list(let records): return records.first?["#text"]?.text
        }
    }
}
