/// Streams a CSV extract as ``CSVBatch``es of a few megabytes each, in bounded memory.
///
/// It detects the encoding (unless given), the delimiter and the line endings, reads the header, and
/// checks each record: a ragged row, an unterminated quote, a NUL byte or an invalid byte sequence
/// makes the record malformed; it is reported as a ``Finding`` in the batch and the reader goes on.
public final class CSVBatchReader {
    public let path: String
    public let encoding: DetectedEncoding
    public private(set) var dialect: CSVDialect
    /// Column names, made unique (`NAME_2`) and never empty (`column_3`).
    public private(set) var header: [String] = []
    /// Problems with the header itself (renamed columns), reported once.
    public private(set) var headerFindings: [Finding] = []
    public var fileSize: Int64 { source.size }
    /// Bytes consumed so far (for progress).
    public var bytesRead: Int64 { source.offset }
    /// U+FFFD substitutions made while transcoding UTF-16.
    public var transcodingReplacements: Int { transcoder?.replacements ?? 0 }

    private let source: FileByteSource
    private let tokenizer: CSVTokenizer
    private var transcoder: UTF16Transcoder?
    private let singleByte: SingleByteDecoder?
    let options: ExtractOptions
    var pending: [UInt8] = []
    /// File offset of `pending[0]` (meaningless when transcoding).
    var pendingOffset: Int64 = 0
    @exclusivity(unchecked) var line = 1
    @exclusivity(unchecked) var recordIndex = 0
    @exclusivity(unchecked) private var headerDone = false
    var endOfFile = false
    private let blockSize: Int
    /// The memory of batches read before, for the next (see ``CSVBatchRecycler``).
    private let recycler: CSVBatchRecycler

    public init(path: String, options: ExtractOptions = ExtractOptions(), blockSize: Int = 4 << 20) throws {
        self.path = path
        self.options = options
        self.blockSize = blockSize
        // A buffer grown for one long record is not kept for the ordinary ones after it.
        recycler = CSVBatchRecycler(maxBytes: 2 * blockSize, maxFields: blockSize / 2)
        source = try FileByteSource(path: path)
        let sample = try source.peek(count: 1 << 20)
        var detected = sample.withUnsafeBytes { EncodingDetector.detect($0) }
        if let forced = options.encoding {
            if detected.bomLength > 0, detected.encoding != forced {
                // A byte order mark is the exporter's own word: reading UTF-8 as windows-1252 would turn
                // every "ü" into "Ã¼" without a single error.
                headerFindings.append(
                    Finding(
                        .warning, code: "CSV-BOM",
                        "the file starts with a \(detected.encoding.rawValue) byte order mark, but its encoding is given as "
                            + "\(forced.rawValue); it is read as \(detected.encoding.rawValue).",
                        at: SourceLocation(file: path, line: 1),
                        fix: "set the mapping's source.encoding (or --encoding) to \(detected.encoding.rawValue)."))
            } else if forced.isSingleByte && detected.encoding == .utf8 && detected.confidence >= 0.99 {
                // Valid UTF-8 with multi-byte characters and not one invalid sequence is not a single-byte
                // export (its "ü" alone, 0xFC, is invalid UTF-8): read as declared, every "ü" would become
                // "Ã¼" without an error. The usual cause: the export was opened and saved as UTF-8.
                headerFindings.append(
                    Finding(
                        .warning, code: "CSV-ENCODING",
                        "the file's encoding is given as \(forced.rawValue), but its bytes are UTF-8 (\(detected.reason)); "
                            + "it is read as UTF-8.",
                        at: SourceLocation(file: path, line: 1),
                        fix:
                            "set the mapping's source.encoding (or --encoding) to UTF-8, or export the file again in \(forced.rawValue)."
                    ))
            } else {
                if forced == .utf8 && detected.encoding.isSingleByte && detected.confidence >= 0.7 {
                    // Not switched (which single-byte code page is a guess), but said once: otherwise only
                    // a flood of malformed records tells.
                    headerFindings.append(
                        Finding(
                            .warning, code: "CSV-ENCODING",
                            "the file's encoding is given as UTF-8, but its bytes look like \(detected.encoding.rawValue) (\(detected.reason)); "
                                + "every record with such a byte is malformed.",
                            at: SourceLocation(file: path, line: 1),
                            fix: "set the mapping's source.encoding (or --encoding) to \(detected.encoding.rawValue) "
                                + "(or the code page the system exported in), or export the file again in UTF-8."))
                }
                detected = DetectedEncoding(
                    encoding: forced, bomLength: detected.encoding == forced ? detected.bomLength : 0, confidence: 1,
                    reason: "given with --encoding")
            }
        }
        encoding = detected
        singleByte = detected.encoding.isSingleByte ? SingleByteDecoder(detected.encoding) : nil
        try source.seek(to: Int64(detected.bomLength))
        pendingOffset = Int64(detected.bomLength)
        var asciiSample = [UInt8]()
        switch detected.encoding {
        case .utf16LE, .utf16BE:
            var sampler = UTF16Transcoder(bigEndian: detected.encoding == .utf16BE)
            sample.dropFirst(detected.bomLength).withUnsafeBufferPointer {
                sampler.transcode($0, into: &asciiSample, final: false)
            }
            transcoder = UTF16Transcoder(bigEndian: detected.encoding == .utf16BE)
        default:
            asciiSample = Array(sample.dropFirst(detected.bomLength))
        }
        // Excel's "sep=;" first line names the delimiter and is not part of the data.
        var declared: UInt8?
        if let separatorLine = CSVDialectSniffer.separatorLine(asciiSample) {
            declared = separatorLine.delimiter
            asciiSample.removeFirst(separatorLine.length)
            let start = Int64(detected.bomLength + separatorLine.length * (transcoder == nil ? 1 : 2))
            try source.seek(to: start)
            pendingOffset = start
            line = 2
        }
        if options.skipLines > 0 {
            let skipped = try Self.preamble(
                lines: options.skipLines, sample: sample, from: Int(pendingOffset), encoding: detected.encoding,
                path: path)
            // The same lines in the (transcoded) sample the dialect is sniffed from.
            asciiSample.removeFirst(
                try Self.preamble(lines: options.skipLines, sample: asciiSample, from: 0, encoding: .utf8, path: path))
            try source.seek(to: pendingOffset + Int64(skipped))
            pendingOffset += Int64(skipped)
            line += options.skipLines
        }
        let delimiter =
            options.delimiter ?? declared
            ?? asciiSample.withUnsafeBufferPointer { CSVDialectSniffer.sniffDelimiter($0) }
        dialect = CSVDialect(delimiter: delimiter, hasHeader: options.hasHeader)
        dialect.lineEnding = asciiSample.withUnsafeBufferPointer { CSVDialectSniffer.sniffLineEnding($0) }
        tokenizer = CSVTokenizer(delimiter: delimiter, quote: dialect.quote)
        // Read up to the header now, so that `header` is known before the first batch is asked for.
        prefetched = try readBatch()
    }

    private var prefetched: CSVBatch?

    /// Bytes of the first `lines` lines of `sample` from `start` (LF, CRLF or CR endings; UTF-16 by
    /// code unit). They must lie in the sample (1 MB): a preamble is a few lines, not data.
    private static func preamble(
        lines: Int, sample: [UInt8], from start: Int, encoding: TextEncoding, path: String
    ) throws -> Int {
        let width = encoding == .utf16LE || encoding == .utf16BE ? 2 : 1
        func unit(_ index: Int) -> UInt16 {
            guard width == 2 else { return UInt16(sample[index]) }
            return encoding == .utf16LE
                ? UInt16(sample[index]) | UInt16(sample[index + 1]) << 8
                : UInt16(sample[index]) << 8 | UInt16(sample[index + 1])
        }
        var remaining = lines
        var index = start
        while remaining > 0 && index + width <= sample.count {
            let current = unit(index)
            index += width
            if current == 0x0A || (current == 0x0D && (index + width > sample.count || unit(index) != 0x0A)) {
                remaining -= 1
            }
        }
        guard remaining == 0 else {
            throw CustmigError(
                .unreadableInput, code: "CSV-SKIP-LINES",
                "\(path) has fewer than \(lines) lines in its first megabyte; skip_lines cannot skip them.",
                fix: "check skip_lines (the lines before the header), or the file.")
        }
        return index - start
    }

    /// Continues reading at a record boundary a previous run recorded (a checkpoint): the byte offset of
    /// the record, its physical line and its index. Only for ASCII-compatible encodings (UTF-16 is
    /// transcoded, so its offsets are not file offsets); the header has been read already.
    public func resume(atOffset offset: Int64, line: Int, recordIndex: Int) throws {
        guard transcoder == nil else {
            throw CustmigError(
                .internalFailure, code: "CSV-RESUME", "a UTF-16 file cannot be resumed at a byte offset.")
        }
        prefetched = nil
        pending = []
        try source.seek(to: offset)
        pendingOffset = offset
        self.line = line
        self.recordIndex = recordIndex - 1
        endOfFile = false
    }

    /// True when records can be resumed by byte offset.
    public var canResumeAtOffset: Bool { transcoder == nil }

    /// The next batch of well-formed records (and the malformed ones met), or nil at the end.
    public func nextBatch() throws -> CSVBatch? {
        if let prefetched {
            self.prefetched = nil
            return prefetched
        }
        return try readBatch()
    }

    private func readBatch() throws -> CSVBatch? {
        while true {
            if pending.isEmpty && endOfFile { return nil }
            if !endOfFile { try fill() }
            let final = endOfFile
            let batch = CSVBatch(recycler: recycler)
            // A guess for ordinary records, capped: a 64 MB record that is still open reserved 72 MB per read.
            var fields = recycler.takeSpans() ?? FieldSpans(capacity: min(pending.count / 8, 1 << 20))
            var handedOver = false
            defer { if !handedOver { fields.deallocate() } }
            var position = 0
            pending.withUnsafeBufferPointer { buffer in
                let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
                while true {
                    let step = tokenizer.next(
                        base, count: buffer.count, at: position, final: final, line: &line, fields: &fields)
                    guard case .done(let outcome, let start, let recordLine, let next) = step else { break }
                    position = next
                    accept(outcome, start: start, end: next, line: recordLine, base: base, into: batch, fields: &fields)
                }
            }
            let consumed = position
            if batch.recordCount == 0 && batch.malformed.isEmpty && !endOfFile {
                if consumed > 0 { dropConsumed(consumed) }
                if pending.count > options.maxRecordBytes {
                    batch.malformed.append(try skipOversizeRecord())
                    return batch
                }
                continue
            }
            batch.adopt(fields)
            handedOver = true
            if consumed == pending.count {
                batch.bytes = pending
                pendingOffset += Int64(pending.count)
                pending = recycler.takeBytes() ?? []
            } else {
                batch.bytes = pending
                dropConsumed(consumed)
            }
            if batch.recordCount == 0 && batch.malformed.isEmpty && pending.isEmpty && endOfFile { return nil }
            return batch
        }
    }

    /// Keeps the unread rest of `pending` (the start of a record), in a buffer with room for the next
    /// block: `fill` reads into it without growing it (one allocation, one copy of the rest).
    func dropConsumed(_ consumed: Int) {
        var rest = recycler.takeBytes() ?? []
        rest.reserveCapacity(pending.count - consumed + blockSize)
        rest.append(contentsOf: pending[consumed...])
        pending = rest
        pendingOffset += Int64(consumed)
    }

    func fill() throws {
        if var transcoder {
            var raw = [UInt8]()
            let got = try source.read(appendingTo: &raw, count: blockSize)
            if got == 0 { endOfFile = true }
            raw.withUnsafeBufferPointer { transcoder.transcode($0, into: &pending, final: got == 0) }
            self.transcoder = transcoder
        } else {
            // Grown by a quarter, not doubled: a record nearing the 64 MB limit would reserve 128 MB.
            // The slack leaves room for the start of a record carried over when the buffer is reused.
            if pending.capacity < pending.count + blockSize {
                pending.reserveCapacity(pending.count + max(blockSize + blockSize / 16, pending.count / 4))
            }
            let got = try source.read(appendingTo: &pending, count: blockSize)
            if got == 0 { endOfFile = true }
        }
    }

    private func offset(of position: Int) -> Int64? {
        transcoder == nil ? pendingOffset + Int64(position) : nil
    }

    private func accept(
        _ outcome: CSVTokenizer.Outcome, start: Int, end: Int, line recordLine: Int, base: UnsafePointer<UInt8>,
        into batch: CSVBatch, fields: inout FieldSpans
    ) {
        let firstField = Int(batch.recordFirstField[batch.recordFirstField.count - 1])
        // Made for a malformed record only: for every record it was a retain and a release of the path.
        var location: SourceLocation { SourceLocation(file: path, line: recordLine) }
        switch outcome {
        case .blankLine:
            return
        case .unterminatedQuote:
            recordIndex += 1
            batch.malformed.append(
                Finding(
                    .error, code: "CSV-QUOTE",
                    "unterminated quote: a quoted field opened in this record never closes; "
                        + "the record's first line was skipped and reading went on at the next line.",
                    at: location, record: recordIndex,
                    fix: "close the quote in the source (a quote inside a value must be doubled: \"\")."))
            return
        case .record:
            break
        }
        if !headerDone {
            headerDone = true
            if dialect.hasHeader {
                makeHeader(base: base, fields: fields, from: firstField)
                fields.truncate(to: firstField)
                return
            }
            header = (1...(fields.count - firstField)).map { "column_\($0)" }
        }
        let fieldCount = fields.count - firstField
        if end - start > options.maxRecordBytes {
            // Completed within one read, yet past the limit: as malformed as one skipped while open.
            recordIndex += 1
            fields.truncate(to: firstField)
            batch.malformed.append(
                Finding(
                    .error, code: "CSV-TOO-LARGE",
                    "the record on lines \(recordLine)-\(line - 1) is \((end - start) >> 20) MB, more than the "
                        + "\(options.maxRecordBytes >> 20) MB one record may take; custmig skipped the whole record and read "
                        + "on after line \(line - 1).",
                    at: location, record: recordIndex,
                    fix:
                        "close the quote where it belongs in the source (a quote inside a value must be doubled: \"\")."
                ))
            return
        }
        if fieldCount == 1, Int(fields.end[firstField]) - Int(fields.start[firstField]) == 1,
            base[Int(fields.start[firstField])] == 0x1A
        {
            // A DOS end-of-file mark (Ctrl-Z) alone on its line: no data, like a blank line.
            fields.truncate(to: firstField)
            return
        }
        recordIndex += 1
        if var problem = check(base: base, fields: fields, from: firstField, count: fieldCount, start: start, end: end)
        {
            fields.truncate(to: firstField)
            // `line` is past the record's line break: a record on more than one line has line breaks inside quotes.
            let lastLine = line - 1
            if problem.code == "CSV-RAGGED" && lastLine > recordLine {
                problem.message +=
                    " The record runs from line \(recordLine) to line \(lastLine): a quoted field holds line breaks, "
                    + "so a quote that opens on line \(recordLine) and closes on line \(lastLine) may have joined the "
                    + "\(lastLine - recordLine) lines after it (records of their own?) into this one."
                problem.fix =
                    "check the quotes on line \(recordLine) (a quote inside a value must be doubled: \"\"); "
                    + problem.fix
            }
            batch.malformed.append(
                Finding(
                    .error, code: problem.code, problem.message, at: location, record: recordIndex, fix: problem.fix))
            return
        }
        if line - 1 > recordLine,
            let swallowed = swallowedRecords(base: base, fields: fields, from: firstField, count: fieldCount)
        {
            fields.truncate(to: firstField)
            batch.malformed.append(
                Finding(
                    .error, code: "CSV-SWALLOWED",
                    "the quoted field \"\(header[swallowed.column])\" runs from line \(recordLine) to line \(line - 1), and "
                        + "\(swallowed.lines) of its lines have \(header.count) fields each, like records of their own: a quote "
                        + "that opens on line \(recordLine) and only closes on line \(line - 1) has joined them into this record.",
                    at: location, record: recordIndex,
                    fix:
                        "check the quotes on line \(recordLine) (a quote inside a value must be doubled: \"\"), then export again."
                ))
            return
        }
        batch.recordFirstField.append(Int32(fields.count))
        batch.recordLine.append(recordLine)
        batch.recordOffset.append(offset(of: start) ?? -1)
        batch.recordIndex.append(recordIndex)
    }

    private func check(
        base: UnsafePointer<UInt8>, fields: FieldSpans, from first: Int, count: Int, start: Int, end: Int
    ) -> (code: String, message: String, fix: String)? {
        if count != header.count {
            return (
                "CSV-RAGGED",
                "expected \(header.count) fields (as in the header), found \(count).",
                "quote values that contain \"\(dialect.delimiterName)\", or add the missing fields; "
                    + "if every row is affected, check the delimiter (--delimiter) or whether lines before the header need --skip-lines."
            )
        }
        for field in first..<(first + count) where fields.flags[field] & CSVField.nul != 0 {
            return (
                "CSV-NUL",
                "field \"\(header[field - first])\" holds a NUL byte (0x00).",
                "remove the NUL bytes from the export (often a fixed-width field padded with zeros)."
            )
        }
        if encoding.encoding == .utf8, let bad = UTF8Validator.firstInvalid(base + start, end - start) {
            let absolute = start + bad
            var column = header.count - 1
            for field in first..<(first + count) where Int(fields.end[field]) >= absolute {
                column = field - first
                break
            }
            let byte = String(base[absolute], radix: 16, uppercase: true)
            return (
                "CSV-UTF8",
                "field \"\(header[column])\" has an invalid UTF-8 byte sequence (byte 0x\(byte)"
                    + (offset(of: absolute).map { " at file offset \($0)" } ?? "") + ").",
                "re-export the file as UTF-8, or pass --encoding windows-1252 (or ISO-8859-1/-15) "
                    + "if the whole file is in that encoding."
            )
        }
        return nil
    }

    private func makeHeader(base: UnsafePointer<UInt8>, fields: FieldSpans, from first: Int) {
        var names: [String] = []
        var seen: [String: Int] = [:]
        var scratch: [UInt8] = []
        for field in first..<fields.count {
            var name = decodeField(
                base: base, start: Int(fields.start[field]), end: Int(fields.end[field]),
                flags: fields.flags[field], scratch: &scratch
            ).trimmingASCIIWhitespace()
            let column = field - first + 1
            if name.isEmpty {
                name = "column_\(column)"
                headerFindings.append(
                    Finding(
                        .warning, code: "CSV-HEADER", "column \(column) has no name; it is called \"\(name)\".",
                        at: SourceLocation(file: path, line: 1), fix: "name every column in the export's header."))
            }
            if let times = seen[name] {
                let renamed = "\(name)_\(times + 1)"
                seen[name] = times + 1
                headerFindings.append(
                    Finding(
                        .warning, code: "CSV-HEADER",
                        "column \(column) repeats the name \"\(name)\"; it is called \"\(renamed)\".",
                        at: SourceLocation(file: path, line: 1), fix: "give every column a distinct name."))
                name = renamed
            } else {
                seen[name] = 1
            }
            names.append(name)
        }
        header = names
    }

    /// Decodes a field's bytes to a `String`, unescaping and converting from the file's encoding.
    public func decodeField(
        base: UnsafePointer<UInt8>, start: Int, end: Int, flags: UInt8, scratch: inout [UInt8]
    ) -> String {
        var pointer = base + start
        var length = end - start
        if flags & CSVField.needsUnescape != 0 {
            CSVField.unescape(pointer, length, quote: dialect.quote, into: &scratch)
            return scratch.withUnsafeBufferPointer { decode($0.baseAddress ?? pointer, $0.count) }
        }
        if length < 0 { length = 0 }
        if length == 0 { pointer = base }
        return decode(pointer, length)
    }

    private func decode(_ pointer: UnsafePointer<UInt8>, _ length: Int) -> String {
        if let singleByte { return singleByte.decode(pointer, length) }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    /// How this file's fields become UTF-8, for workers that read its batches beside the reader.
    public var fieldTranscoder: CSVFieldTranscoder { CSVFieldTranscoder(quote: dialect.quote, singleByte: singleByte) }
}

/// Turns a batch's field bytes into UTF-8 (unescaped): a value the profiler's workers each hold, so
/// they read batches while the reader goes on tokenizing the next.
public struct CSVFieldTranscoder: Sendable {
    let quote: UInt8
    let singleByte: SingleByteDecoder?

    /// Transcodes a field's bytes to UTF-8 into `out` (unescaped), for byte-level statistics.
    public func utf8Field(
        base: UnsafePointer<UInt8>, start: Int, end: Int, flags: UInt8, scratch: inout [UInt8], out: inout [UInt8]
    ) {
        out.removeAll(keepingCapacity: true)
        if flags & CSVField.needsUnescape != 0 {
            CSVField.unescape(base + start, end - start, quote: quote, into: &scratch)
            if let singleByte {
                scratch.withUnsafeBufferPointer { singleByte.appendUTF8($0.baseAddress ?? base, $0.count, to: &out) }
            } else {
                out.append(contentsOf: scratch)
            }
        } else if let singleByte {
            singleByte.appendUTF8(base + start, end - start, to: &out)
        } else {
            out.append(contentsOf: UnsafeBufferPointer(start: base + start, count: end - start))
        }
    }

    /// True when field bytes are UTF-8 as they stand (no transcoding needed for statistics).
    public var bytesAreUTF8: Bool { singleByte == nil }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
