import Foundation
import GRDB

/// `custmig crosswalk export`: legacy key -> target key, one row per legacy key (merged duplicates
/// point at their survivor's target customer), for the objects migrated after customers.
public enum CrosswalkExport {
    public static func write(workspace: Workspace, target: SQLiteTarget, to path: String) throws -> Int {
        let crosswalk = try target.database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT canonical_key, customer_id, how FROM custmig_crosswalk ORDER BY canonical_key")
        }
        let output = try FileOutput(path: path, mode: 0o600)
        try output.write("legacy_key,canonical_key,target_customer_id,how\n")
        var count = 0
        try workspace.ledger.database.read { db in
            let hasKeyMap = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM key_map") ?? 0 > 0
            for row in crosswalk {
                let key: String = row["canonical_key"]
                var legacy =
                    hasKeyMap
                    ? try String.fetchAll(
                        db, sql: "SELECT legacy_key FROM key_map WHERE golden_key = ? ORDER BY legacy_key",
                        arguments: [key]) : []
                if legacy.isEmpty {
                    legacy = try String.fetchAll(
                        db, sql: "SELECT DISTINCT legacy_key FROM canonical_record WHERE key = ? ORDER BY legacy_key",
                        arguments: [key])
                }
                for legacyKey in legacy.isEmpty ? [""] : legacy {
                    try output.write(
                        [legacyKey, key, row["customer_id"], row["how"]].map(RejectReport.quote).joined(separator: ",")
                            + "\n")
                    count += 1
                }
            }
        }
        try output.close()
        return count
    }
}
