import Foundation
import GRDB

/// The mapping versions the map runs used (`mapping_version`), with their files' content as they
/// were: what `explain` replays and what refuses a used version whose files changed.
enum MappingVersionStore {
    /// The checksum a version was first used with, if it was used.
    static func checksum(name: String, version: Int, db: Database) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT checksum FROM mapping_version WHERE name = ? AND version = ?", arguments: [name, version])
    }

    /// A version's files (file name to content, as JSON; a single YAML text in ledgers from before).
    static func content(name: String?, version: Int?, db: Database) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT content FROM mapping_version WHERE name = ? AND version = ?", arguments: [name, version])
    }

    /// Registers a version's first use with its files.
    static func register(_ version: MappingVersion, db: Database) throws {
        try db.execute(
            sql: "INSERT INTO mapping_version (name, version, checksum, content, first_used_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [
                version.name, version.version, version.checksum,
                String(decoding: try JSONEncoder().encode(version.files), as: UTF8.self), Date(),
            ])
    }
}
