import CLibXML2

/// Receives the events of a streaming XML parse; names are interned ids (see ``XMLNameTable``).
protocol XMLEventHandler: AnyObject {
    func startElement(_ name: Int, attributes: [(name: Int, value: String)], parser: XMLPushParser)
    func characters(_ bytes: UnsafeBufferPointer<UInt8>)
    func endElement(_ name: Int, parser: XMLPushParser)
}

/// Interns element and attribute names: libxml2 hands out dictionary-owned name pointers, so a
/// name is converted to a `String` once, not once per element.
final class XMLNameTable {
    private var byPointer: [UnsafeRawPointer: Int] = [:]
    private var byName: [String: Int] = [:]
    private(set) var names: [String] = []

    func id(_ pointer: UnsafePointer<xmlChar>) -> Int {
        let raw = UnsafeRawPointer(pointer)
        if let id = byPointer[raw] { return id }
        let name = String(cString: pointer)
        let id = id(for: name)
        byPointer[raw] = id
        return id
    }

    func id(for name: String) -> Int {
        if let id = byName[name] { return id }
        names.append(name)
        byName[name] = names.count - 1
        return names.count - 1
    }

    func name(_ id: Int) -> String { names[id] }
}
