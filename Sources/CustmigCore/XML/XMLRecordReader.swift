import Foundation

/// Reads an XML extract record by record, streaming with libxml2's push parser.
///
/// Memory holds one record (plus one parser chunk), never the document. A fatal XML error ends the
/// stream: the records before it are returned, the record open at the error is counted malformed,
/// and the error (with line and column) is a finding.
public final class XMLRecordReader: ExtractReader {
    public let path: String
    public let recordPath: String
    public private(set) var recordCount = 0
    public private(set) var malformedCount = 0
    private let parser: XMLPushParser
    private let builder: XMLRecordBuilder
    private var queue: [Record] = []
    private var queueIndex = 0
    private var findings: [Finding] = []
    private var done = false
    private let forcedEncoding: String?
    /// The encoding named in the XML declaration, read from the file's first bytes.
    public let declaredEncoding: String?

    public init(path: String, options: ExtractOptions = ExtractOptions()) throws {
        self.path = path
        let declared = try XMLRecordReader.declaredEncoding(path: path)
        declaredEncoding = declared
        let (forced, warning) = try XMLRecordReader.encoding(path: path, given: options.encoding, declared: declared)
        if let warning { findings.append(warning) }
        forcedEncoding = forced
        if let given = options.recordPath {
            recordPath = try XMLRecordReader.validate(recordPath: given)
        } else {
            recordPath = try XMLRecordPathSniffer.detect(path: path, encoding: forcedEncoding)
        }
        let components = recordPath.split(separator: "/").map(String.init)
        builder = XMLRecordBuilder(path: path, recordPath: components, selection: options.fields)
        parser = try XMLPushParser(path: path, handler: builder, encoding: forcedEncoding)
    }

    /// The encoding to make libxml2 read the file with (nil: as the file declares), and a warning when
    /// it is not the one given or declared. A file converted to UTF-8 on its way (a transfer tool) whose
    /// declaration still says ISO-8859-1 is read as UTF-8: read as declared, every "ü" would become "Ã¼"
    /// without an error.
    static func encoding(path: String, given: TextEncoding?, declared: String?) throws -> (String?, Finding?) {
        guard let named = given?.rawValue ?? declared, TextEncoding(name: named)?.isSingleByte == true else {
            return (given?.rawValue, nil)
        }
        let sample = try FileByteSource(path: path).peek(count: 1 << 20)
        let detected = sample.withUnsafeBytes { EncodingDetector.detect($0) }
        guard detected.encoding == .utf8 && detected.confidence >= 0.99 else { return (given?.rawValue, nil) }
        let warning = Finding(
            .warning, code: "XML-ENCODING",
            "the file's encoding is given as \(named)\(given == nil ? " in its XML declaration" : ""), "
                + "but its bytes are UTF-8 (\(detected.reason)); it is read as UTF-8.",
            at: SourceLocation(file: path, line: 1),
            fix: "correct the XML declaration (or --encoding, or the mapping's source.encoding) to UTF-8.")
        return (TextEncoding.utf8.rawValue, warning)
    }

    /// Reads `encoding="…"` from the XML declaration (`<?xml … ?>`), if the file has one.
    static func declaredEncoding(path: String) throws -> String? {
        let head = try FileByteSource(path: path).peek(count: 512)
        let text = String(decoding: head.filter { $0 != 0 }, as: UTF8.self)
        guard let start = text.range(of: "<?xml"),
            let end = text.range(of: "?>", range: start.upperBound..<text.endIndex)
        else { return nil }
        let declaration = text[start.upperBound..<end.lowerBound]
        guard let key = declaration.range(of: "encoding") else { return nil }
        let rest = declaration[key.upperBound...].drop { $0 == " " || $0 == "=" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let value = rest.dropFirst().prefix { $0 != quote }
        return value.isEmpty ? nil : String(value)
    }

    static func validate(recordPath: String) throws -> String {
        let components = recordPath.split(separator: "/", omittingEmptySubsequences: true)
        guard recordPath.hasPrefix("/"), !recordPath.hasPrefix("//"), !components.isEmpty,
            components.allSatisfy({ !$0.isEmpty && !$0.contains(where: { $0 == " " || $0 == "*" }) })
        else {
            throw CustmigError(
                .usage, code: "XML-RECORD-PATH",
                "record path \"\(recordPath)\" is not an absolute element path.",
                fix: "write it from the root element, e.g. /DEBMAS07/IDOC/E1KNA1M.")
        }
        return recordPath
    }

    public var description: ExtractDescription {
        let declared = declaredEncoding
        let encoding: DetectedEncoding
        if let forcedEncoding, let known = TextEncoding(name: forcedEncoding) {
            encoding = DetectedEncoding(encoding: known, bomLength: 0, confidence: 1, reason: "given with --encoding")
        } else if let declared {
            encoding = DetectedEncoding(
                encoding: TextEncoding(name: declared) ?? .utf8, bomLength: 0, confidence: 1,
                reason: "declared in the XML declaration: \(declared)")
        } else {
            encoding = DetectedEncoding(
                encoding: .utf8, bomLength: 0, confidence: 0.9, reason: "no encoding declared: XML's default UTF-8")
        }
        return ExtractDescription(
            path: path, format: .xml, encoding: encoding, dialect: nil, recordPath: recordPath, columns: [],
            declaredEncoding: declared)
    }

    public var bytesRead: Int64 { parser.bytesRead }
    public var fileSize: Int64 { parser.fileSize }

    public func next() throws -> Record? {
        while queueIndex >= queue.count {
            if done { return nil }
            queue = []
            queueIndex = 0
            let more = try parser.parseNextChunk()
            queue = builder.takeRecords()
            if !more { finish() }
        }
        defer { queueIndex += 1 }
        recordCount += 1
        return queue[queueIndex]
    }

    private func finish() {
        done = true
        findings.append(contentsOf: parser.warnings)
        if let fatal = parser.fatalError {
            findings.append(fatal)
            if builder.isInsideRecord {
                malformedCount += 1
                var lost = fatal
                lost.code = "XML-RECORD-LOST"
                lost.recordIndex = builder.recordIndex
                lost.message =
                    "record \(builder.recordIndex) (\(recordPath)) was cut off by the error above and is not read."
                lost.fix = "repair the file; the \(builder.recordIndex - 1) records before it were read."
                findings.append(lost)
            }
        }
        if builder.recordIndex == 0 && parser.fatalError == nil {
            findings.append(
                Finding(
                    .warning, code: "XML-NO-RECORDS",
                    "no element matches the record path \(recordPath)"
                        + (parser.rootElement.map { " (the document's root element is <\($0)>)" } ?? "") + ".",
                    at: SourceLocation(file: path),
                    fix: "check the record path (--record-path, or the mapping's source.record_path) against "
                        + "`custmig peek` of the file, which detects it."))
        }
    }

    public func drainFindings() -> [Finding] {
        defer { findings.removeAll() }
        return findings
    }
}
