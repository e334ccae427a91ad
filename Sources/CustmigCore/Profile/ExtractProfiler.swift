import Foundation

/// Profiles one extract: reads it once, streaming, and computes every field's statistics.
///
/// Steps: detect format and encoding; read batches on this thread; compute statistics on
/// `workers` threads (each batch goes to one worker in turn, so results do not depend on timing);
/// merge the workers' statistics; build the ``ExtractProfile``. Memory is bounded by a few batches in
/// flight plus the per-field sketches (and 8–16 bytes per row for key-like fields' exact check).
public enum ExtractProfiler {
    /// Called now and then with bytes read and the file size.
    public typealias Progress = (_ bytesRead: Int64, _ total: Int64) -> Void

    public static func profile(path: String, options: ProfileOptions, progress: Progress? = nil) throws -> ExtractProfile {
        let started = Date()
        let format = try options.extract.format ?? ExtractOpener.detectFormat(path: path)
        var profile: ExtractProfile
        switch format {
        case .csv: profile = try profileCSV(path: path, options: options, progress: progress)
        case .xml: profile = try profileXML(path: path, options: options, progress: progress)
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

    private static func profileCSV(path: String, options: ProfileOptions, progress: Progress?) throws -> ExtractProfile {
        let reader = try CSVBatchReader(path: path, options: options.extract)
        let columns = reader.header
        let workerCount = options.workers
        let accumulators = (0..<workerCount).map { _ in CSVColumnAccumulator(columns: columns) }
        let pool = WorkerPool<CSVBatch>(count: workerCount) { index, queue in
            let accumulator = accumulators[index]
            while let batch = queue.pop() { accumulator.add(batch, reader: reader) }
        }
        let tally = FindingTally(limit: options.malformedSampleLimit)
        for finding in reader.headerFindings { tally.add(finding, isMalformedRecord: false) }
        var records = 0
        do {
            while let batch = try reader.nextBatch() {
                records += batch.recordCount
                for finding in batch.malformed { tally.add(finding, isMalformedRecord: true) }
                pool.submit(batch)
                progress?(reader.bytesRead, reader.fileSize)
            }
        } catch {
            pool.finish()
            throw error
        }
        pool.finish()
        let merged = accumulators[0]
        for other in accumulators.dropFirst() { merged.merge(other) }
        if reader.transcodingReplacements > 0 {
            tally.warnings.append(
                "\(path): \(reader.transcodingReplacements) invalid UTF-16 code units were replaced with U+FFFD.")
        }
        if columns.isEmpty { tally.warnings.append("\(path): the file is empty (no header, no records).") }
        let fields = merged.fields.map {
            $0.profile(records: records, isPerRecord: true, mask: options.maskPII, maskNames: options.piiFields)
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

    private static func profileXML(path: String, options: ProfileOptions, progress: Progress?) throws -> ExtractProfile {
        let reader = try XMLRecordReader(path: path, options: options.extract)
        let description = reader.description
        let workerCount = options.workers
        let accumulators = (0..<workerCount).map { _ in RecordFieldAccumulator() }
        let pool = WorkerPool<[Record]>(count: workerCount, capacity: 4) { index, queue in
            let accumulator = accumulators[index]
            while let records = queue.pop() {
                for record in records { accumulator.add(record) }
            }
        }
        let tally = FindingTally(limit: options.malformedSampleLimit)
        var batch: [Record] = []
        batch.reserveCapacity(512)
        var count = 0
        do {
            while let record = try reader.next() {
                batch.append(record)
                count += 1
                if batch.count == 512 {
                    pool.submit(batch)
                    batch = []
                    batch.reserveCapacity(512)
                    progress?(reader.bytesRead, reader.fileSize)
                }
                for finding in reader.drainFindings() { tally.add(finding, isMalformedRecord: false) }
            }
        } catch {
            pool.finish()
            throw error
        }
        if !batch.isEmpty { pool.submit(batch) }
        pool.finish()
        for finding in reader.drainFindings() {
            tally.add(finding, isMalformedRecord: finding.code == "XML-RECORD-LOST")
        }
        let merged = accumulators[0]
        for other in accumulators.dropFirst() { merged.merge(other) }
        let fields = merged.fields.enumerated().map { index, field in
            field.profile(
                records: count, isPerRecord: merged.isTopLevel[index], mask: options.maskPII,
                maskNames: options.piiFields)
        }
        let encoding = description.encoding
        return ExtractProfile(
            file: FileFacts(
                path: path, sizeBytes: reader.fileSize, format: .xml,
                encoding: description.declaredEncoding ?? encoding.encoding.rawValue,
                encodingConfidence: encoding.confidence, encodingReason: encoding.reason, delimiter: nil,
                lineEndings: nil, hasHeader: nil, recordPath: description.recordPath, records: count,
                malformedRecords: tally.malformed, malformedSamples: tally.samples, malformedByCode: tally.byCode,
                warnings: tally.warnings, elapsedSeconds: 0),
            fields: fields)
    }
}
