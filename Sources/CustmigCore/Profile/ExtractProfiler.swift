import Foundation

/// Profiles one extract: reads it once, streaming, and computes every field's statistics.
///
/// Steps: detect format and encoding; read batches on this task; compute statistics on `workers`
/// child tasks (each batch goes to one worker in turn, so results do not depend on timing);
/// merge the workers' statistics; build the ``ExtractProfile``. Memory is bounded by a few batches in
/// flight plus the per-field sketches (and 8–16 bytes per row for key-like fields' exact check).
public enum ExtractProfiler {
    /// Called now and then with bytes read and the file size.
    public typealias Progress = (_ bytesRead: Int64, _ total: Int64) -> Void

    /// `command` profiles again: Ctrl-C stops the reading between two batches, and since the reports
    /// are written only once every extract is read, the stop keeps nothing and a rerun starts over.
    public static func profile(
        path: String, options: ProfileOptions, command: String = "custmig profile", progress: Progress? = nil
    ) async throws -> ExtractProfile {
        let started = Date()
        let format = try options.extract.format ?? ExtractOpener.detectFormat(path: path)
        let stopIfAsked = { (read: Int64, size: Int64) in
            try Interruption.check(
                kept:
                    "nothing: \(path) was read \(size > 0 ? "\(read * 100 / size)%" : "in part") and no report was written",
                resume: "run `\(command)` again; it reads the extracts from the start.")
        }
        var profile: ExtractProfile
        switch format {
        case .csv:
            profile = try await profileCSV(path: path, options: options, stopIfAsked: stopIfAsked, progress: progress)
        case .xml:
            profile = try await profileXML(path: path, options: options, stopIfAsked: stopIfAsked, progress: progress)
        }
        profile.file.elapsedSeconds = Date().timeIntervalSince(started)
        return profile
    }

    private final class FindingTally {
        var samples: [MalformedSample] = []
        var byCode: [String: Int] = [:]
        var malformed = 0
        var warnings: [String] = []
        let limit: Int

        init(limit: Int) { self.limit = limit }

        func add(_ finding: Finding, isMalformedRecord: Bool) {
            if finding.severity == .warning {
                if warnings.count < 50 { warnings.append(finding.description) }
                return
            }
            if isMalformedRecord { malformed += 1 }
            byCode[finding.code, default: 0] += 1
            if samples.count < limit {
                samples.append(
                    MalformedSample(
                        line: finding.location.line, column: finding.location.column, record: finding.recordIndex,
                        code: finding.code, message: finding.message, fix: finding.fix))
            }
        }
    }

    private static func profileCSV(
        path: String, options: ProfileOptions, stopIfAsked: (Int64, Int64) throws -> Void, progress: Progress?
    ) async throws -> ExtractProfile {
        let reader = try CSVBatchReader(path: path, options: options.extract)
        let columns = reader.header
        let workerCount = options.workers
        let profiled = Array(columns.prefix(options.fieldLimit))
        let budget = KeyPrintBudget(workers: workerCount)
        let accumulators = (0..<workerCount).map { _ in CSVColumnAccumulator(columns: profiled, budget: budget) }
        let transcoder = reader.fieldTranscoder
        let tally = FindingTally(limit: options.malformedSampleLimit)
        for finding in reader.headerFindings { tally.add(finding, isMalformedRecord: false) }
        var records = 0
        try await RoundRobinWorkers.run(
            count: workerCount, capacity: 2,
            consume: { worker, batch in accumulators[worker].add(batch, transcoder: transcoder) },
            produce: { deal in
                while let batch = try reader.nextBatch() {
                    records += batch.recordCount
                    for finding in batch.malformed { tally.add(finding, isMalformedRecord: true) }
                    await deal(batch)
                    progress?(reader.bytesRead, reader.fileSize)
                    try stopIfAsked(reader.bytesRead, reader.fileSize)
                }
            })
        if reader.transcodingReplacements > 0 {
            tally.warnings.append(
                "\(path): \(reader.transcodingReplacements) invalid UTF-16 code units were replaced with U+FFFD.")
        }
        if columns.isEmpty { tally.warnings.append("\(path): the file is empty (no header, no records).") }
        if let warning = fieldLimitWarning(path: path, fields: columns, limit: options.fieldLimit, what: "columns") {
            tally.warnings.append(warning)
        }
        let unchecked = profiled.indices.filter { column in
            accumulators.contains { $0.fields[column].keyCheckDropped }
        }
        if let warning = keyCheckWarning(path: path, fields: unchecked.map { profiled[$0] }) {
            tally.warnings.append(warning)
        }
        // Each column's statistics are merged and summarised on their own, so the columns share the cores
        // (one core did it all: ~0.15 s of a 1M-row profile, most of it the key columns' fingerprints).
        let (read, mask, maskNames) = (records, options.maskPII, options.piiFields)
        let fields = await ParallelWork.map(0..<profiled.count, parallelFrom: 2) { column in
            var statistics = accumulators[0].fields[column]
            for other in accumulators.dropFirst() { statistics.merge(other.fields[column]) }
            return statistics.profile(records: read, isPerRecord: true, mask: mask, maskNames: maskNames)
        }
        let encoding = reader.encoding
        return ExtractProfile(
            file: FileFacts(
                path: path, sizeBytes: reader.fileSize, format: .csv, encoding: encoding.encoding.rawValue,
                encodingConfidence: encoding.confidence, encodingReason: encoding.reason,
                delimiter: reader.dialect.delimiterName, lineEndings: reader.dialect.lineEnding.rawValue,
                hasHeader: reader.dialect.hasHeader, recordPath: nil, records: records,
                malformedRecords: tally.malformed, malformedSamples: tally.samples, malformedByCode: tally.byCode,
                warnings: tally.warnings, elapsedSeconds: 0),
            fields: fields)
    }

    private static func profileXML(
        path: String, options: ProfileOptions, stopIfAsked: (Int64, Int64) throws -> Void, progress: Progress?
    ) async throws -> ExtractProfile {
        let declared = try XMLRecordReader.declaredEncoding(path: path)
        let (forcedEncoding, encodingWarning) = try XMLRecordReader.encoding(
            path: path, given: options.extract.encoding, declared: declared)
        let recordPath =
            try options.extract.recordPath.map(XMLRecordReader.validate(recordPath:))
            ?? XMLRecordPathSniffer.detect(path: path, encoding: forcedEncoding)
        let collector = XMLFieldCollector(recordPath: recordPath.split(separator: "/").map(String.init))
        let parser = try XMLPushParser(path: path, handler: collector, encoding: forcedEncoding)
        let workerCount = options.workers
        let budget = KeyPrintBudget(workers: workerCount)
        let accumulators = (0..<workerCount).map { _ in
            XMLPathAccumulator(limit: options.fieldLimit, budget: budget)
        }
        var records = 0
        try await RoundRobinWorkers.run(
            count: workerCount, capacity: 4,
            consume: { worker, batch in accumulators[worker].add(batch) },
            produce: { deal in
                while try parser.parseNextChunk() {
                    for batch in collector.drainReady() {
                        records += batch.records
                        await deal(batch)
                    }
                    progress?(parser.bytesRead, parser.fileSize)
                    try stopIfAsked(parser.bytesRead, parser.fileSize)
                }
                for batch in collector.drainReady() + [collector.takeRemainder()] {
                    records += batch.records
                    await deal(batch)
                }
            })
        let tally = FindingTally(limit: options.malformedSampleLimit)
        if let encodingWarning { tally.add(encodingWarning, isMalformedRecord: false) }
        for warning in parser.warnings { tally.add(warning, isMalformedRecord: false) }
        if let fatal = parser.fatalError {
            tally.add(fatal, isMalformedRecord: collector.isInsideRecord)
        }
        if collector.recordIndex == 0 && parser.fatalError == nil {
            tally.warnings.append("\(path): no element matches the record path \(recordPath).")
        }
        let merged = accumulators[0]
        for other in accumulators.dropFirst() { merged.merge(other) }
        merged.name(with: collector.paths)
        if let warning = keyCheckWarning(
            path: path, fields: merged.fields.filter(\.keyCheckDropped).map(\.name))
        {
            tally.warnings.append(warning)
        }
        // Path 0 is the record itself, not a field.
        let paths = Array(collector.paths.dropFirst())
        if let warning = fieldLimitWarning(
            path: path, fields: paths, limit: options.fieldLimit - 1, what: "field paths")
        {
            tally.warnings.append(warning)
        }
        let fields = merged.fields.enumerated().compactMap { index, field -> FieldProfile? in
            guard field.present > 0 else { return nil }
            var field = field
            field.isSegmentCount = collector.isSegment[index]
            return field.profile(
                records: records, isPerRecord: collector.isTopLevel[index], mask: options.maskPII,
                maskNames: options.piiFields)
        }
        let encoding: (String, Double, String)
        if encodingWarning != nil, let forcedEncoding {
            encoding = (
                forcedEncoding, 0.99,
                "the bytes are UTF-8 although \(declared.map { "the declaration says \($0)" } ?? "another encoding was given")"
            )
        } else if let forcedEncoding {
            encoding = (forcedEncoding, 1, "given with --encoding")
        } else if let declared {
            encoding = (declared, 1, "declared in the XML declaration")
        } else {
            encoding = ("UTF-8", 0.9, "no encoding declared: XML's default UTF-8")
        }
        return ExtractProfile(
            file: FileFacts(
                path: path, sizeBytes: parser.fileSize, format: .xml, encoding: encoding.0,
                encodingConfidence: encoding.1, encodingReason: encoding.2, delimiter: nil, lineEndings: nil,
                hasHeader: nil, recordPath: recordPath, records: records, malformedRecords: tally.malformed,
                malformedSamples: tally.samples, malformedByCode: tally.byCode, warnings: tally.warnings,
                elapsedSeconds: 0),
            fields: fields)
    }
}

extension ExtractProfiler {
    /// Names the fields whose exact key check was given up for memory (``KeyPrintBudget``).
    static func keyCheckWarning(path: String, fields: [String]) -> String? {
        guard !fields.isEmpty else { return nil }
        let shown = fields.prefix(5).joined(separator: ", ") + (fields.count > 5 ? ", …" : "")
        return "\(path): \(fields.count) field(s) (\(shown)) gave up their exact key check after "
            + "\((KeyPrintBudget.totalPrints * 8) >> 20) MB of value fingerprints: past their exact bound their distinct counts "
            + "are estimates and they are not listed as candidate keys. Profile the key columns in an extract of their own "
            + "for an exact check."
    }

    /// Names how many fields went unprofiled past the limit, and the first of them.
    static func fieldLimitWarning(path: String, fields: [String], limit: Int, what: String) -> String? {
        guard fields.count > limit else { return nil }
        let first = fields[limit]
        let shown = first.count > 60 ? String(first.prefix(60)) + "…" : first
        return "\(path): \(fields.count) \(what); the first \(limit) were profiled and the other "
            + "\(fields.count - limit) (from \(shown) on) were not. A customer master has hundreds; check that the "
            + "file is the extract you meant (for XML, that --record-path names the customer element)."
    }

    /// Profiles any reader's ``Record``s on this thread: slower than the byte paths, and the reference
    /// they are tested against (both must give the same field statistics).
    static func profileRecords(path: String, options: ProfileOptions) throws -> [FieldProfile] {
        let reader = try ExtractOpener.open(path: path, options: options.extract)
        let accumulator = RecordFieldAccumulator()
        var count = 0
        while let record = try reader.next() {
            accumulator.add(record)
            count += 1
        }
        return accumulator.fields.enumerated().map { index, field in
            field.profile(
                records: count, isPerRecord: accumulator.isTopLevel[index], mask: options.maskPII,
                maskNames: options.piiFields)
        }
    }
}
