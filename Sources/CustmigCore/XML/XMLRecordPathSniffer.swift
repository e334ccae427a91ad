/// Finds the record element of an XML extract from its first elements, when the choice is obvious.
///
/// An IDoc (`IDOC` with an `EDI_DC40` control record) gives the IDoc's data segment, e.g.
/// `/DEBMAS07/IDOC/E1KNA1M`. Otherwise the record is the shallowest element (below the root) that
/// repeats under one parent and has child elements, e.g. `/Customers/Customer`.
final class XMLRecordPathSniffer: XMLEventHandler {
    private var stack: [Int] = []
    private var childCounts: [[Int]: [Int: Int]] = [:]
    private var order: [[Int]] = []
    private var hasChildren: Set<[Int]> = []
    private var elements = 0
    private let limit: Int
    private var names: XMLNameTable?

    init(limit: Int = 20_000) { self.limit = limit }

    func startElement(_ name: Int, attributes: XMLAttributes, parser: XMLPushParser) {
        names = parser.names
        if !stack.isEmpty { hasChildren.insert(stack) }
        childCounts[stack, default: [:]][name, default: 0] += 1
        stack.append(name)
        if childCounts[stack] == nil {
            childCounts[stack] = [:]
            order.append(stack)
        }
        elements += 1
        if elements >= limit { parser.stop() }
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {}

    func endElement(_ name: Int, parser: XMLPushParser) { stack.removeLast() }

    /// Reads the start of `path` and returns its record path, or throws with the fix.
    static func detect(path: String, encoding: String?) throws -> String {
        let sniffer = XMLRecordPathSniffer()
        let parser = try XMLPushParser(path: path, handler: sniffer, encoding: encoding, chunkSize: 64 << 10)
        while try parser.parseNextChunk() {}
        if let detected = sniffer.detectedPath() { return detected }
        if let error = parser.fatalError {
            throw CustmigError(.unreadableInput, code: error.code, error.message, at: error.location, fix: error.fix)
        }
        throw CustmigError(
            .usage, code: "XML-RECORD-PATH",
            "could not tell which element is a record in \(path) (no repeating element with children).",
            fix: "pass --record-path, e.g. --record-path /DEBMAS07/IDOC/E1KNA1M.")
    }

    /// The detected path (`/A/B/C`), or nil when no choice is obvious.
    func detectedPath() -> String? {
        guard let names else { return nil }
        func render(_ path: [Int]) -> String { "/" + path.map(names.name).joined(separator: "/") }
        // IDoc: a parent holding an EDI_DC40 control record and a data segment with children.
        for path in order where names.name(path.last!) == "IDOC" {
            let children = childCounts[path] ?? [:]
            guard children.keys.contains(where: { names.name($0).hasPrefix("EDI_DC") }) else { continue }
            if let segment = order.first(where: {
                $0.count == path.count + 1 && Array($0.dropLast()) == path && !names.name($0.last!).hasPrefix("EDI_DC")
                    && hasChildren.contains($0)
            }) {
                return render(segment)
            }
        }
        let repeating = order.filter { path in
            path.count >= 2 && hasChildren.contains(path)
                && (childCounts[Array(path.dropLast())]?[path.last!] ?? 0) >= 2
        }
        if let best = repeating.min(by: { $0.count < $1.count }) { return render(best) }
        let single = order.filter { $0.count == 2 && hasChildren.contains($0) }
        if single.count == 1 { return render(single[0]) }
        return nil
    }
}
