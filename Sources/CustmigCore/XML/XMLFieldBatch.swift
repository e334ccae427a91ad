/// A block of XML field values as byte ranges, tagged with their field path: the profiler's input.
///
/// Built on the parser thread without making a `String` or a ``Record``; path ids index
/// ``XMLFieldCollector/paths``, so every worker agrees on them.
///
/// Sendable by hand: the parsing task fills a batch, then hands it to one worker through a channel
/// (``RoundRobinWorkers``, whose hand-over orders the two) and never touches it again; the worker only
/// reads it. So one task at a time uses it, and no method passes a property `inout` while reading it: the
/// runtime's exclusivity checks are skipped (`@exclusivity(unchecked)`, ~2 calls per field value).
final class XMLFieldBatch: @unchecked Sendable {
    @exclusivity(unchecked) var bytes: [UInt8] = []
    @exclusivity(unchecked) var path: [Int32] = []
    @exclusivity(unchecked) var start: [Int32] = []
    @exclusivity(unchecked) var end: [Int32] = []
    @exclusivity(unchecked) var records = 0
    /// Field count at the end of the last complete record (fields after it belong to an open record).
    @exclusivity(unchecked) var completeFields = 0

    init() {
        bytes.reserveCapacity(1 << 20)
        path.reserveCapacity(1 << 15)
        start.reserveCapacity(1 << 15)
        end.reserveCapacity(1 << 15)
    }

    @inline(__always)
    func emit(path id: Int, from: Int, to: Int) {
        path.append(Int32(id))
        start.append(Int32(from))
        end.append(Int32(to))
    }

    @inline(__always)
    func emit(path id: Int, bytes value: UnsafeBufferPointer<UInt8>) {
        let from = bytes.count
        bytes.append(contentsOf: value)
        emit(path: id, from: from, to: bytes.count)
    }

    func emit(path id: Int, text: String) {
        var text = text
        text.withUTF8 { emit(path: id, bytes: $0) }
    }
}

/// Turns parse events for the records at one record path into ``XMLFieldBatch``es.
///
/// The paths and values are exactly those of the ``Record`` shape (see ``XMLRecordBuilder``): leaves,
/// `@attributes`, `#text` of elements with children or attributes, `control/…` fields of the control
/// record, and for each list its segment count per parent.
final class XMLFieldCollector: XMLEventHandler {
    // `@exclusivity(unchecked)`: owned by one parser and fed its events on that thread, one at a time
    // (see ``XMLPushParser``); the batches it fills are handed over whole.
    private struct Frame {
        var node: Int
        var textStart: Int
        var isComplex: Bool
        /// Complex children seen, as (node, count), for the segment counts.
        var lists: [(Int, Int)]
    }

    /// Field path of each node (node 0 is the record itself).
    @exclusivity(unchecked) private(set) var paths: [String] = [""]
    /// True for nodes directly under the record (one value per record).
    @exclusivity(unchecked) private(set) var isTopLevel: [Bool] = [false]
    /// True for nodes that are repeated segments: their values are counts per parent.
    @exclusivity(unchecked) private(set) var isSegment: [Bool] = [false]
    @exclusivity(unchecked) private var childTable = FingerprintTable(capacity: 1024)
    private let recordPath: [String]
    @exclusivity(unchecked) private var recordPathIds: [Int] = []
    @exclusivity(unchecked) private var depth = 0
    @exclusivity(unchecked) private var matched = 0
    @exclusivity(unchecked) private var frames: [Frame] = []
    @exclusivity(unchecked) private var controlNodes: [(Int, [UInt8])] = []
    @exclusivity(unchecked) private var inControl = false
    @exclusivity(unchecked) private var controlDepth = 0
    @exclusivity(unchecked) private var controlText: [UInt8] = []
    @exclusivity(unchecked) private var controlLeafName = 0
    @exclusivity(unchecked) private var controlRoot = -1
    @exclusivity(unchecked) private(set) var batch = XMLFieldBatch()
    @exclusivity(unchecked) private(set) var recordIndex = 0
    /// Batches complete with whole records, ready for the workers.
    @exclusivity(unchecked) private var ready: [XMLFieldBatch] = []
    /// Records per batch before it is handed on.
    @exclusivity(unchecked) var batchRecords = 1024

    init(recordPath: [String]) { self.recordPath = recordPath }

    var isInsideRecord: Bool { !frames.isEmpty }

    /// Batches of whole records collected so far.
    func drainReady() -> [XMLFieldBatch] {
        defer { ready.removeAll() }
        return ready
    }

    /// The last batch at the end of the document: only its complete records' fields.
    func takeRemainder() -> XMLFieldBatch {
        let rest = batch
        batch = XMLFieldBatch()
        rest.path.removeSubrange(rest.completeFields...)
        rest.start.removeSubrange(rest.completeFields...)
        rest.end.removeSubrange(rest.completeFields...)
        return rest
    }

    private func child(of parent: Int, name: String, nameId: Int, marker: UInt64) -> Int {
        let key = (UInt64(parent) << 32 | UInt64(nameId)) &* 0x9E37_79B9_7F4A_7C15 ^ marker
        if let node = childTable.value(for: key) { return Int(node) }
        paths.append(parent == 0 ? name : paths[parent] + "/" + name)
        isTopLevel.append(parent == 0)
        isSegment.append(false)
        childTable.set(Int32(paths.count - 1), for: key)
        return paths.count - 1
    }

    private func elementNode(_ parent: Int, _ nameId: Int, _ names: XMLNameTable) -> Int {
        child(of: parent, name: names.name(nameId), nameId: nameId, marker: 0)
    }

    private func attributeNode(_ parent: Int, _ nameId: Int, _ names: XMLNameTable) -> Int {
        child(of: parent, name: "@" + names.name(nameId), nameId: nameId, marker: 0xA77)
    }

    private func textNode(_ parent: Int) -> Int {
        child(of: parent, name: "#text", nameId: -1 & 0x7FFF_FFFF, marker: 0x7E7)
    }

    func startElement(_ name: Int, attributes: XMLAttributes, parser: XMLPushParser) {
        if recordPathIds.isEmpty { recordPathIds = recordPath.map { parser.names.id(for: $0) } }
        depth += 1
        if var parent = frames.popLast() {
            if !parent.isComplex {
                parent.isComplex = true
            }
            batch.bytes.removeSubrange(parent.textStart...)
            frames.append(parent)
            let node = elementNode(parent.node, name, parser.names)
            var frame = Frame(node: node, textStart: batch.bytes.count, isComplex: !attributes.isEmpty, lists: [])
            if !attributes.isEmpty { emitAttributes(attributes, under: node, parser.names) }
            frame.textStart = batch.bytes.count
            frames.append(frame)
            return
        }
        if inControl {
            controlLeafName = name
            controlText.removeAll(keepingCapacity: true)
            return
        }
        if matched == depth - 1 && depth <= recordPathIds.count && recordPathIds[depth - 1] == name {
            matched = depth
            if depth == recordPathIds.count {
                recordIndex += 1
                if controlRoot < 0 { controlRoot = child(of: 0, name: "control", nameId: 0x7FFF_FFFE, marker: 0xC7) }
                for (node, value) in controlNodes {
                    value.withUnsafeBufferPointer { batch.emit(path: node, bytes: $0) }
                }
                if !attributes.isEmpty { emitAttributes(attributes, under: 0, parser.names) }
                frames.append(Frame(node: 0, textStart: batch.bytes.count, isComplex: true, lists: []))
            }
            return
        }
        if depth == recordPathIds.count && matched == depth - 1 && parser.names.name(name).hasPrefix("EDI_DC") {
            inControl = true
            controlDepth = depth
            controlNodes = []
            if controlRoot < 0 { controlRoot = child(of: 0, name: "control", nameId: 0x7FFF_FFFE, marker: 0xC7) }
            for index in 0..<attributes.count {
                let node = attributeNode(controlRoot, attributes.name(index), parser.names)
                controlNodes.append((node, Array(attributes.value(index).utf8)))
            }
        }
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        if !frames.isEmpty {
            batch.bytes.append(contentsOf: bytes)
        } else if inControl {
            controlText.append(contentsOf: bytes)
        }
    }

    func endElement(_ name: Int, parser: XMLPushParser) {
        defer { depth -= 1 }
        if inControl {
            if depth == controlDepth {
                inControl = false
            } else {
                let node = elementNode(controlRoot, name, parser.names)
                controlNodes.append((node, controlText))
                controlText.removeAll(keepingCapacity: true)
            }
            return
        }
        guard let frame = frames.popLast() else {
            if depth == matched {
                matched -= 1
                if depth == recordPathIds.count - 1 { controlNodes = [] }
            }
            return
        }
        if frame.isComplex {
            if batch.bytes.count > frame.textStart && !isBlank(frame.textStart) {
                batch.emit(path: textNode(frame.node), from: frame.textStart, to: batch.bytes.count)
            } else {
                batch.bytes.removeSubrange(frame.textStart...)
            }
            for (node, count) in frame.lists { batch.emit(path: node, text: String(count)) }
        } else {
            batch.emit(path: frame.node, from: frame.textStart, to: batch.bytes.count)
        }
        if frames.isEmpty {
            matched -= 1
            batch.records += 1
            batch.completeFields = batch.path.count
            if batch.records >= batchRecords || batch.bytes.count >= 4 << 20 {
                ready.append(batch)
                batch = XMLFieldBatch()
            }
            return
        }
        if frame.isComplex {
            let parentIndex = frames.count - 1
            if let slot = frames[parentIndex].lists.firstIndex(where: { $0.0 == frame.node }) {
                frames[parentIndex].lists[slot].1 += 1
            } else {
                frames[parentIndex].lists.append((frame.node, 1))
                isSegment[frame.node] = true
            }
        }
        frames[frames.count - 1].textStart = batch.bytes.count
    }

    private func emitAttributes(_ attributes: XMLAttributes, under node: Int, _ names: XMLNameTable) {
        for index in 0..<attributes.count {
            let attribute = attributeNode(node, attributes.name(index), names)
            let value = attributes.withValueBytes(index) { bytes -> String? in
                // `&#38;` stands for `&` (see XMLAttributes); rare, so take the String path then.
                if bytes.count >= 5 && bytes.contains(0x26) { return nil }
                batch.emit(path: attribute, bytes: bytes)
                return ""
            }
            if value == nil { batch.emit(path: attribute, text: attributes.value(index)) }
        }
    }

    private func isBlank(_ from: Int) -> Bool {
        for index in from..<batch.bytes.count {
            let byte = batch.bytes[index]
            if byte != 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09 { return false }
        }
        return true
    }
}
