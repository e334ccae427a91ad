import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

extension MapStage {
    /// The role of each extract: `primary`, or the name of the joined source file it matches.
    static func roles(of extracts: [String], mapping: Mapping) throws -> [String] {
        let files = mapping.source.files
        guard !files.isEmpty else { return extracts.map { _ in "primary" } }
        return try extracts.map { path in
            let name = (path as NSString).lastPathComponent
            guard let file = files.first(where: { fnmatch($0.match, name, 0) == 0 }) else {
                throw CustmigError(
                    .usage, code: "MAP-SOURCE-FILE",
                    "\(path) matches none of the mapping's source files (\(files.map(\.match).joined(separator: ", "))).",
                    fix: "rename the extract or add a files: entry to the mapping's source.")
            }
            return file.isPrimary ? "primary" : file.name
        }
    }

    /// The primary record with each joined file's rows for its key as a child list.
    static func attachChildren(
        to record: Record, key: String, files: [SourceFile], ledger: Ledger, run: Int64
    ) throws -> Record {
        try attachChildren(to: [record], keys: [key], files: files, ledger: ledger, run: run)[0]
    }

    /// The primary records with each joined file's rows for their keys as child lists: one query per
    /// file and few hundred keys, in one read (a query per record and file, each in its own read, made
    /// a joined map five times slower than a flat one).
    static func attachChildren(
        to records: [Record], keys: [String], files: [SourceFile], ledger: Ledger, run: Int64
    ) throws -> [Record] {
        var joined = records
        let distinct = Array(Set(keys))
        // On the ledger's read connection: the staged rows are committed, and the writer's connection
        // stays free for the chunk being stored meanwhile.
        try ledger.reader().read { db in
            for file in files where !file.isPrimary {
                let rowsByKey = try StagedRowStore.rows(run: run, source: file.name, keys: distinct, db: db)
                for index in joined.indices {
                    guard let rows = rowsByKey[keys[index]], !rows.isEmpty else { continue }
                    let position = joined[index].position
                    let children = rows.map { Record(fields: StagedRowText.decode($0), position: position) }
                    joined[index].fields.append(Field(file.name, .list(children)))
                }
            }
        }
        return joined
    }
}

/// How a joined file's row is kept in `staged_row.data` until its primary record is mapped.
///
/// A flat row (every field text, the CSV case) as `0x1D name 0x1F value 0x1E name 0x1F value…`, split
/// on bytes when read back; a row with nested lists, or with those separator bytes in a value, as JSON.
/// Reading JSON back through `JSONSerialization` was half of a joined map's time. Rows are read back
/// in `rowid` order, which is the order they were staged in (input, then record index).
enum StagedRowText {
    private static let marker: UInt8 = 0x1D
    private static let nameEnd: UInt8 = 0x1F
    private static let fieldEnd: UInt8 = 0x1E

    static func encode(_ record: Record) -> String {
        var bytes: [UInt8] = [marker]
        for (index, field) in record.fields.enumerated() {
            guard case .text(let value) = field.value,
                !field.name.utf8.contains(where: isSeparator), !value.utf8.contains(where: isSeparator)
            else { return RecordJSON.render(record) }
            if index > 0 { bytes.append(fieldEnd) }
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(nameEnd)
            bytes.append(contentsOf: value.utf8)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func decode(_ text: String) -> [Field] {
        let utf8 = text.utf8
        guard utf8.first == marker else { return RecordJSON.parseFields(text) }
        var fields: [Field] = []
        for part in utf8.dropFirst().split(separator: fieldEnd, omittingEmptySubsequences: false) {
            guard let end = part.firstIndex(of: nameEnd) else { continue }
            let name = String(decoding: part[part.startIndex..<end], as: UTF8.self)
            let value = String(decoding: part[part.index(after: end)...], as: UTF8.self)
            fields.append(Field(name, .text(value)))
        }
        return fields
    }

    private static func isSeparator(_ byte: UInt8) -> Bool { byte >= 0x1C && byte <= 0x1F }
}
