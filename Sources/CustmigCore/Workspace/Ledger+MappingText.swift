import Foundation
import GRDB

extension Ledger {
    /// The mapping text a map run used, as the ledger kept its version (`{file name: text}` for every
    /// file of the version; the run's mapping file, else the first YAML file). Empty when unknown.
    static func mappingText(ofRun run: StageRun, db: Database) throws -> String {
        let stored = try MappingVersionStore.content(name: run.mappingName, version: run.mappingVersion, db: db) ?? ""
        guard let files = try? JSONDecoder().decode([String: String].self, from: Data(stored.utf8)) else {
            return stored
        }
        let name = run.mappingFile.map { ($0 as NSString).lastPathComponent }
        return name.flatMap { files[$0] }
            ?? files.first { $0.key.hasSuffix(".yaml") || $0.key.hasSuffix(".yml") }?.value ?? ""
    }
}
