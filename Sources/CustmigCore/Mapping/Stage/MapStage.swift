import Foundation
import GRDB

/// `custmig map`: reads extracts, applies a mapping and writes canonical customers, findings and
/// malformed records into the workspace ledger, restartably.
///
/// Steps: load and check the mapping; refuse a used version whose content changed; hash the inputs;
/// find the run for these inputs (done: a no-op; interrupted: resume it; none: start one); for each
/// input, read from its checkpoint and commit every `chunkSize` records together with the next
/// checkpoint (one transaction, `synchronous=FULL`); count everything from the ledger; write the
/// reject report; apply the reject threshold.
public enum MapStage {
    /// Records read of an input so far, and the extract's bytes they took (nil where the reader cannot say).
    public typealias Progress = @Sendable (_ input: Int, _ records: Int, _ bytes: Int64?) -> Void

    public static func run(
        _ options: MapOptions, workspace: Workspace, progress: Progress? = nil
    ) async throws
        -> MapSummary
    {
        let started = Date()
        let mapping = try MappingLoader.load(path: options.mappingPath)
        let version = try MappingVersion(mapping: mapping)
        let ledger = workspace.ledger
        try register(version, mapping: mapping, ledger: ledger)
        let roles = try roles(of: options.extracts, mapping: mapping)
        for (path, role) in zip(options.extracts, roles) where role == "primary" {
            try checkFormat(mapping, extract: path)
            let description = try ExtractOpener.open(path: path, options: mapping.source.extractOptions).description
            if description.format == .csv { try checkColumns(mapping, extract: path, columns: description.columns) }
        }
        let hashes: [(path: String, sha256: String, size: Int64)] = try options.extracts.map { path in
            (path, try FileDigest.sha256(path: path), try FileByteSource(path: path).size)
        }
        // The same extract twice (for the same role) would read every record twice. Identical files
        // without records (an empty KNBK and an empty KNVK download) are not a mistake.
        var firstWithHash: [String: String] = [:]
        for (input, role) in zip(hashes, roles) {
            let identity = role + "|" + input.sha256
            if let earlier = firstWithHash[identity],
                (try? ExtractOpener.open(path: input.path, options: mapping.source.extractOptions).next()) ?? nil != nil
            {
                throw CustmigError(
                    .usage, code: "MAP-INPUT-TWICE",
                    "\(input.path) has the same content as \(earlier) (SHA-256 \(input.sha256.prefix(16))…): every record would be read twice.",
                    fix: "give each extract once.")
            }
            firstWithHash[identity] = input.path
        }
        let inputsKey = FileDigest.sha256(
            ([version.checksum, options.scope.rawValue, options.custmigVersion] + hashes.map(\.sha256)).joined(
                separator: "|"))
        let existing = try await ledger.database.read { db in
            try RunStore.latest(stage: "map", inputsKey: inputsKey, db: db)
        }
        if let existing, let id = existing.id, existing.status == "done" {
            var summary = try summarize(run: id, mapping: mapping, version: version, ledger: ledger)
            summary.outcome = "unchanged"
            summary.elapsedSeconds = Date().timeIntervalSince(started)
            return summary
        }
        let resumed = existing != nil
        let run: Int64 =
            if let id = existing?.id { id } else {
                try await ledger.database.write { db in
                    let id = try RunStore.start(
                        StageRun(
                            stage: "map", status: "running", inputsKey: inputsKey, mappingName: mapping.name,
                            mappingVersion: mapping.version, mappingChecksum: version.checksum,
                            mappingFile: mapping.file,
                            scope: options.scope.rawValue, custmigVersion: options.custmigVersion,
                            command: options.command,
                            startedAt: Date()), db: db
                    ).id!
                    for (position, input) in hashes.enumerated() {
                        try RunStore.addInput(
                            run: id, position: position, path: input.path, sha256: input.sha256, size: input.size,
                            role: roles[position], db: db)
                        try CheckpointStore.start(run: id, input: position, db: db)
                    }
                    return id
                }
            }
        FaultPoint.reach("map.started")
        let engine = MappingEngine(mapping: mapping)
        let writer = try MapLedgerWriter(ledger: ledger, run: run, mapping: mapping)
        for (position, input) in hashes.enumerated() where roles[position] != "primary" {
            guard let file = mapping.source.files.first(where: { $0.name == roles[position] }) else { continue }
            try await stageInput(
                input.path, position: position, file: file, mapping: mapping, ledger: ledger, run: run,
                chunkSize: options.chunkSize)
        }
        // Sources no record had, over every input this process read whole (a resumed input saw only part).
        var unseen: Set<String>?
        var readWhole = true
        for (position, input) in hashes.enumerated() where roles[position] == "primary" {
            let missing = try await mapInput(
                input.path, position: position, engine: engine, writer: writer, options: options, progress: progress)
            if let missing { unseen = unseen.map { $0.intersection(missing) } ?? missing } else { readWhole = false }
        }
        try checkReferences(run: run, mapping: mapping, ledger: ledger)
        // The reject report (sorting and writing every finding) is written while the run is counted.
        let folder = try workspace.reportFolder(run: run)
        let mask = options.maskPII
        async let report = RejectReport.write(run: run, ledger: ledger, folder: folder, mask: mask)
        var summary = try summarize(run: run, mapping: mapping, version: version, ledger: ledger)
        if readWhole, summary.read > 0, let unseen { summary.unseenSources = unseen.sorted() }
        summary.resumed = resumed
        summary.reports = try await report
        summary.elapsedSeconds = Date().timeIntervalSince(started)
        let encoded = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        FaultPoint.reach("map.reported")
        try await ledger.database.write { db in try RunStore.finish(run, summary: encoded, db: db) }
        ledger.truncateLog()
        return summary
    }

    /// Refuses a used mapping version whose content changed (as Flyway refuses a changed migration).
    static func register(_ version: MappingVersion, mapping: Mapping, ledger: Ledger) throws {
        try ledger.database.write { db in
            if let used = try MappingVersionStore.checksum(name: version.name, version: version.version, db: db) {
                guard used == version.checksum else {
                    throw CustmigError(
                        .usage, code: "MAP-VERSION-CHANGED",
                        "mapping \(version.name) version \(version.version) was used with checksum \(used.prefix(12)); "
                            + "its files now have checksum \(version.checksum.prefix(12)).",
                        at: SourceLocation(file: mapping.file),
                        fix:
                            "bump version: to \(version.version + 1) in \(mapping.file); runs of version \(version.version) stay as they were."
                    )
                }
                return
            }
            try MappingVersionStore.register(version, db: db)
        }
    }

    /// Maps one primary extract from its checkpoint; returns the sources no record had (see
    /// ``MappingEngine/unseenSources()``), or nil when the input was not read whole by this process.
    private static func mapInput(
        _ path: String, position inputPosition: Int, engine: MappingEngine, writer: MapLedgerWriter,
        options: MapOptions,
        progress: Progress?
    ) async throws -> Set<String>? {
        let checkpoint = try await writer.ledger.database.read { db in
            try CheckpointStore.read(run: writer.run, input: inputPosition, db: db)
        }
        guard let checkpoint, !checkpoint.done else { return nil }
        var counts = checkpoint.counts
        let startIndex = checkpoint.position.recordIndex
        // Records are made of the fields the mapping reads: an IDoc's or a wide export's others would
        // only be decoded and released.
        var extractOptions = engine.mapping.source.extractOptions
        extractOptions.fields = engine.mapping.readFields
        let reader = try ExtractOpener.open(path: path, options: extractOptions)
        var first: Record?
        if startIndex > 1 {
            if let csv = reader as? CSVRecordReader, csv.batches.canResumeAtOffset,
                let offset = checkpoint.position.byteOffset
            {
                try csv.resume(atOffset: offset, line: checkpoint.position.line, recordIndex: startIndex)
            } else {
                // Committed records are re-read but never mapped again.
                while let record = try reader.next() {
                    _ = reader.drainFindings()
                    if record.position.index >= startIndex {
                        first = record
                        break
                    }
                }
            }
        }
        let next = try first ?? reader.next()
        let mapping = engine.mapping
        let files = mapping.source.files
        // Joined files' rows are attached on the reading task too, while the chunk before is mapped.
        let join: ChunkReader.Join? =
            files.isEmpty
            ? nil
            : { records in
                let keys = records.map { MappingEngine.sourceKey(of: $0, mapping: mapping) }
                let joined = try attachChildren(
                    to: records, keys: keys, files: files, ledger: writer.ledger, run: writer.run)
                return (joined, keys)
            }
        let source = ChunkReader(
            reader: reader, next: next, chunkSize: options.chunkSize,
            malformed: reader.drainFindings().filter { ($0.recordIndex ?? Int.max) >= startIndex }, join: join)
        let engines = PerWorker(parallelEngines(for: engine))
        let command = options.command
        // Chunk k+1 is read while chunk k is mapped and chunk k-1 written to the ledger; commits stay in
        // order and at most one is in flight, so a crash still leaves the ledger at a checkpoint.
        try await ChunkPipeline.run(
            read: { try source.read() },
            work: { read in
                var chunk = MapChunk()
                chunk.malformed = read.malformed
                if !read.records.isEmpty {
                    for key in read.keys {
                        for file in files where !file.isPrimary { chunk.claims.append((file.name, key)) }
                    }
                    chunk.items = await map(read.records, with: engines)
                    chunk.read = read.records.count
                }
                return (chunk, read.upcoming)
            },
            write: { (chunk: MapChunk, upcoming: ReadPosition?) in
                let next = upcoming ?? ReadPosition(byteOffset: nil, line: 0, recordIndex: Int.max)
                try writer.commit(chunk, input: inputPosition, next: next, done: upcoming == nil, counts: &counts)
                progress?(inputPosition, counts.read, next.byteOffset)
                if let upcoming, Interruption.requested {
                    // A safe point: this chunk is committed with its checkpoint.
                    try Interruption.check(
                        kept:
                            "records 1 to \(upcoming.recordIndex - 1) of \(path) are committed (to line \(upcoming.line - 1))",
                        resume: "run `\(command)` again; it continues at record \(upcoming.recordIndex).")
                }
            })
        guard startIndex <= 1 else { return nil }
        return (1..<engines.count).reduce(engine.unseenSources()) { $0.intersection(engines[$1].unseenSources()) }
    }

    /// Reads an extract a chunk at a time, on the pipeline's reading task: the records, the malformed ones
    /// the ledger keeps, and where the next chunk starts (nil after the last).
    ///
    /// Not Sendable: it is handed whole to the pipeline's reading task, the one that calls `read()`.
    private final class ChunkReader {
        struct Chunk {
            var records: [Record]
            /// The records' source keys, when joined files were attached to them.
            var keys: [String] = []
            var malformed: [Finding]
            var upcoming: ReadPosition?
        }

        /// Attaches joined files' rows to a chunk's records; returns them with their source keys.
        typealias Join = ([Record]) throws -> (records: [Record], keys: [String])

        private let reader: ExtractReader
        private let chunkSize: Int
        private var next: Record?
        private var malformed: [Finding]
        private let join: Join?
        /// The chunk without a next one was returned.
        private var finished = false

        init(reader: ExtractReader, next: Record?, chunkSize: Int, malformed: [Finding], join: Join?) {
            self.reader = reader
            self.next = next
            self.chunkSize = chunkSize
            self.malformed = malformed
            self.join = join
        }

        /// Called from one task, in order; nil after the last chunk (which may have no records).
        func read() throws -> Chunk? {
            guard !finished else { return nil }
            var records: [Record] = []
            records.reserveCapacity(chunkSize)
            while let record = next, records.count < chunkSize {
                records.append(record)
                next = try reader.next()
                malformed += reader.drainFindings().filter(MapChunk.isKept)
            }
            let upcoming = next.map {
                ReadPosition(byteOffset: $0.position.byteOffset, line: $0.position.line, recordIndex: $0.position.index)
            }
            if upcoming == nil {
                malformed += reader.drainFindings().filter(MapChunk.isKept)
                finished = true
            }
            defer { malformed = [] }
            if let join, !records.isEmpty {
                let (joined, keys) = try join(records)
                return Chunk(records: joined, keys: keys, malformed: malformed, upcoming: upcoming)
            }
            return Chunk(records: records, malformed: malformed, upcoming: upcoming)
        }
    }

    /// Engines to map a chunk with: one per core (up to four). They share nothing: `unique` rules,
    /// which depend on record order, are settled by the ledger's writer.
    private static func parallelEngines(for engine: MappingEngine) -> [MappingEngine] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard cores > 1 else { return [engine] }
        return [engine] + (1..<min(cores, 4)).map { _ in MappingEngine(mapping: engine.mapping) }
    }

    /// Maps records in order, splitting them between the engines (each on a child task of its own),
    /// and renders what the ledger stores there too. Engines are not shared: child N uses engine N.
    private static func map(_ records: [Record], with engines: PerWorker<MappingEngine>) async -> [MapChunk.Item] {
        // Small batches handed out in turn: a child slowed by the ledger's writing takes fewer of them.
        await ParallelWork.map(count: records.count, batch: 128, workers: engines.count) { index, worker in
            let engine = engines[worker]
            let record = records[index]
            return MapChunk.Item(engine.map(record), sequence: engine.sequence(of: record))
        }
    }
}
