import Foundation
import GRDB

/// The lineage of one customer: `custmig explain KEY`.
public struct Explanation: Sendable, Codable {
    public var run: Int64
    public var legacyKey: String
    public var key: String
    public var status: String
    public var mapping: String
    public var mappingVersion: Int
    public var sourceFile: String
    public var sourceLine: Int
    public var sourceIndex: Int
    /// The source record as read now (its extract's hash was checked), as JSON.
    public var sourceRecord: String
    public var trace: RecordTrace
    /// Whether the replay made the very record the run stored (same record hash). False means this custmig
    /// maps the source differently from the one that ran (a transform changed between versions): the trace
    /// shows what would be stored now, not what was. Nil when the ledger holds no hash to compare.
    public var replayMatchesStored: Bool?
}

/// Re-reads a stored customer's source record and replays the stored mapping version with tracing.
///
/// Nothing per field is stored: replaying is deterministic. The extract must still be the one the run
/// read (same SHA-256), and the mapping is the version stored in the ledger, not today's file.
public enum ExplainStage {
    public static func explain(key: String, run requested: Int64?, workspace: Workspace) throws -> Explanation {
        let ledger = workspace.ledger
        typealias Found = (
            record: CanonicalStore.Origin, mapping: (name: String, version: Int), input: (path: String, sha256: String)
        )
        let found = try ledger.database.read { db -> Found? in
            guard let record = try CanonicalStore.find(key: key, run: requested, db: db),
                let mapping = try RunStore.mapping(run: record.run, db: db),
                let input = try RunStore.input(run: record.run, position: record.input, db: db)
            else { return nil }
            return (record, mapping, input)
        }
        guard let found else {
            throw CustmigError(
                .usage, code: "EXPLAIN-UNKNOWN",
                "no customer with the legacy or canonical key \"\(key)\" in \(workspace.path)"
                    + (requested.map { " run \($0)" } ?? "") + ".",
                fix: "check the key (legacy keys as in the extract, canonical keys after ALPHA conversion) and --run.")
        }
        let (path, run, recorded) = (found.input.path, found.record.run, found.input.sha256)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CustmigError.missingFile(path)
        }
        let current = try FileDigest.sha256(path: path)
        guard current == recorded else {
            throw CustmigError(
                .usage, code: "EXPLAIN-EXTRACT-CHANGED",
                "\(path) is not the file run \(run) read (SHA-256 \(current.prefix(12)) now, \(recorded.prefix(12)) then).",
                fix: "restore the extract that run read, or map the new one and explain the customer in that run.")
        }
        let mapping = try storedMapping(name: found.mapping.name, version: found.mapping.version, ledger: ledger)
        var record = try readRecord(
            path: path, options: mapping.source.extractOptions, offset: found.record.offset.map(Int64.init),
            line: found.record.line, index: found.record.index)
        let engine = MappingEngine(mapping: mapping)
        if !mapping.source.files.isEmpty {
            record = try MapStage.attachChildren(
                to: record, key: engine.sourceKey(of: record), files: mapping.source.files, ledger: ledger, run: run)
        }
        let (mapped, traced) = engine.explain(record)
        let replayHash = MapChunk.Item(mapped, sequence: nil).dataHash
        var trace = traced
        try settleUniqueRules(
            in: &trace, mapping: mapping, run: run, legacyKey: found.record.legacyKey, ledger: ledger)
        return Explanation(
            run: run, legacyKey: found.record.legacyKey, key: found.record.key, status: found.record.status,
            mapping: mapping.name, mappingVersion: mapping.version, sourceFile: path, sourceLine: found.record.line,
            sourceIndex: found.record.index, sourceRecord: RecordJSON.render(record, withPosition: true), trace: trace,
            replayMatchesStored: found.record.dataHash.map { $0 == replayHash })
    }

    /// A `unique` rule's verdict depends on the records before this one, which a replay of one record
    /// does not see: the run settled it in the ledger, so the verdict and finding are read from there.
    private static func settleUniqueRules(
        in trace: inout RecordTrace, mapping: Mapping, run: Int64, legacyKey: String, ledger: Ledger
    ) throws {
        let unique = mapping.rules.filter { rule in
            if case .unique = rule.kind { return true }
            return false
        }.map(\.id)
        guard !unique.isEmpty else { return }
        let stored = try ledger.database.read { db in
            try FindingStore.findings(run: run, legacyKey: legacyKey, rules: unique, db: db)
        }
        for finding in stored {
            trace.findings.append(finding)
            if let index = trace.rules.firstIndex(where: { $0.rule == finding.rule }) {
                trace.rules[index] = RecordTrace.Verdict(
                    rule: finding.rule, outcome: finding.outcome.rawValue, message: finding.message)
            }
        }
    }

    /// The mapping version as the ledger stored it, loaded from a private temporary folder.
    static func storedMapping(name: String, version: Int, ledger: Ledger) throws -> Mapping {
        let content = try ledger.database.read { db in
            try MappingVersionStore.content(name: name, version: version, db: db)
        }
        guard let content, let files = try? JSONDecoder().decode([String: String].self, from: Data(content.utf8)) else {
            throw CustmigError(
                .internalFailure, code: "EXPLAIN-MAPPING", "mapping \(name) v\(version) is not in the ledger.")
        }
        let folder = NSTemporaryDirectory() + "custmig-mapping-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (file, text) in files { try text.write(toFile: folder + "/" + file, atomically: true, encoding: .utf8) }
        let yaml = files.keys.first { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") } ?? "mapping.yaml"
        return try MappingLoader.load(path: folder + "/" + yaml)
    }

    static func readRecord(
        path: String, options: ExtractOptions, offset: Int64?, line: Int, index: Int
    ) throws -> Record {
        let reader = try ExtractOpener.open(path: path, options: options)
        if let csv = reader as? CSVRecordReader, csv.batches.canResumeAtOffset, let offset {
            try csv.resume(atOffset: offset, line: line, recordIndex: index)
            if let record = try csv.next(), record.position.index == index { return record }
        } else {
            while let record = try reader.next() {
                if record.position.index == index { return record }
                if record.position.index > index { break }
            }
        }
        throw CustmigError(
            .internalFailure, code: "EXPLAIN-RECORD", "record \(index) of \(path) could not be read again.")
    }
}
