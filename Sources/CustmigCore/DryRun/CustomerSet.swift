import Foundation
import GRDB

/// The customers a dry run plans: the survivors of the latest duplicates run on a map run plus that
/// run's unmerged customers (or only the map run's customers when it was never matched), with the
/// map run's rejects and held customers (open review items) beside them.
///
/// Only keys, references and where each customer's data is are kept in memory; the data is read in
/// chunks while planning.
struct CustomerSet {
    struct Member {
        var key: String
        var legacyKey: String
        /// Legacy keys it refers to.
        var references: [String]
        /// Canonical record (by legacy key) or survivor (by golden key).
        var isSurvivor: Bool
        /// ``CustomerSet/recordHash(_:)`` of its stored data; nil for a record mapped before the ledger
        /// kept it (its data is then read to hash it).
        var dataHash: Hash128?
    }

    /// SHA-256 (first 128 bits, hex) of a canonical record as stored.
    static func recordHash(_ data: String) -> String { CustomerImage.fingerprint(of: data) }

    /// What a customer's plan row and the crosswalk record as its source: its key, target id, the
    /// target ids it refers to and its record's hash. Equal hashes: the same customer as last loaded.
    static func sourceHash(key: String, id: String, references: [String], dataHash: Hash128) -> String {
        CustomerImage.fingerprint(
            of: "image/2|\(key)|\(id)|\(references.joined(separator: ","))|\(dataHash.high)-\(dataHash.low)")
    }

    var mapRun: Int64
    var duplicatesRun: Int64?
    /// A duplicates run for this map run that started after the one used and never finished (killed):
    /// its id, so the dry run can say its merges are missing.
    var unfinishedDuplicatesRun: Int64?
    var mapInputsKey: String
    var scope: String
    var mappingText: String
    var mappingFile: String?
    var members: [Member] = []
    /// Survivors' account groups by golden key; a canonical record's is read only when numbering needs
    /// it (``accountGroups(_:ledger:)``): extracting it from a million JSON records cost a second.
    var survivorAccountGroups: [String: String] = [:]
    /// Canonical key -> why it will not be loaded (map rejects, open review items), by legacy key.
    var notLoaded: [(key: String, legacyKey: String, reason: String)] = []
    /// Canonical keys merged into a survivor (not gone, not loaded on their own).
    var mergedAway: Set<String> = []

    static func load(ledger: Ledger, mapRun requested: Int64?) throws -> CustomerSet {
        try ledger.database.read { db in
            guard
                let run = try requested.map({ try RunStore.run($0, db: db) })
                    ?? RunStore.latestFinished(stage: "map", db: db),
                run.stage == "map", let mapRun = run.id
            else {
                throw CustmigError(
                    .usage, code: "PLAN-NO-MAP",
                    requested.map { "run \($0) is not a map run of this workspace." }
                        ?? "there is no finished map run in this workspace.",
                    fix: "run custmig map first (custmig status lists the runs).")
            }
            guard run.status == "done" else {
                throw CustmigError(
                    .usage, code: "PLAN-MAP-RUNNING", "map run \(mapRun) did not finish.",
                    fix: "rerun its command to finish it: \(run.command)")
            }
            let text = try Ledger.mappingText(ofRun: run, db: db)
            var set = CustomerSet(
                mapRun: mapRun, mapInputsKey: run.inputsKey, scope: run.scope ?? "full", mappingText: text,
                mappingFile: run.mappingFile)
            for duplicates in try RunStore.finishedDuplicates(after: mapRun, db: db) {
                if let summary = duplicates.summary.flatMap({
                    try? JSONDecoder().decode(DuplicatesSummary.self, from: Data($0.utf8))
                }),
                    summary.mapRun == mapRun
                {
                    set.duplicatesRun = duplicates.id
                    break
                }
            }
            set.unfinishedDuplicatesRun = try RunStore.unfinishedDuplicates(
                scope: "map-run:\(mapRun)", after: set.duplicatesRun ?? mapRun, db: db)
            let reasons = try FindingStore.holdingReasons(run: mapRun, db: db)
            var statusOfKey: [String: String] = [:]
            var clustered = Set<String>()
            if let duplicatesRun = set.duplicatesRun {
                for survivor in try DuplicateStore.survivors(run: duplicatesRun, db: db) {
                    let golden = survivor.goldenKey
                    clustered.formUnion(survivor.members)
                    for member in survivor.members where member != golden { set.mergedAway.insert(member) }
                    // Through the ledger's one reader, as every stored record is read.
                    let stored = CanonicalStore.Stored(
                        key: golden, legacyKey: golden, bytes: Array(survivor.data.utf8))
                    let customer = stored.customer
                    set.members.append(
                        Member(
                            key: golden, legacyKey: customer?.legacyKey ?? golden,
                            references: customer.map(\.sortedReferences) ?? [], isSurvivor: true,
                            dataHash: stored.recordHash))
                    set.survivorAccountGroups[golden] = customer?.accountGroup
                }
            }
            // Room for every record at once: growing by doubling left up to half the array unused.
            set.members.reserveCapacity(set.members.count + (try CanonicalStore.count(run: mapRun, db: db)))
            try CanonicalStore.forEachMember(run: mapRun, db: db) { record in
                let (key, legacyKey, status) = (record.key, record.legacyKey, record.status)
                if !clustered.isEmpty { statusOfKey[key] = status }
                if status == "rejected" {
                    set.notLoaded.append((key, legacyKey, reasons[legacyKey] ?? "rejected by the map run"))
                    return
                }
                if clustered.contains(key) { return }
                if status == "review" {
                    set.notLoaded.append(
                        (
                            key, legacyKey,
                            // The fix ("settle it in review-decisions.csv") is said once per group in the
                            // plan's page, not on every line of plan.csv and plan.json.
                            reasons[legacyKey] ?? "waiting for review"
                        ))
                    return
                }
                let refs = record.references.split(separator: " ").map(String.init)
                set.members.append(
                    Member(
                        key: key, legacyKey: legacyKey, references: refs, isSurvivor: false,
                        dataHash: record.dataHash))
            }
            // A survivor whose own record waits for review is held like that record.
            set.members.removeAll { member in
                guard member.isSurvivor, statusOfKey[member.key] == "review" else { return false }
                set.notLoaded.append(
                    (
                        member.key, member.legacyKey,
                        reasons[member.legacyKey] ?? "waiting for review"
                    ))
                return true
            }
            return set
        }
    }

    /// Canonical key each referenced legacy key stands for now (the key map's golden key when there
    /// was a duplicates run, else the map run's key, else the latest earlier run's).
    func resolveReferences(_ legacyKeys: Set<String>, ledger: Ledger) throws -> [String: String] {
        try ledger.database.read { db in
            var result: [String: String] = [:]
            for legacy in legacyKeys {
                var key = try CanonicalStore.key(legacyKey: legacy, run: mapRun, db: db)
                if key == nil { key = try CanonicalStore.latestKey(legacyKey: legacy, db: db) }
                if duplicatesRun != nil,
                    let golden = try DuplicateStore.goldenKey(legacyKey: legacy, db: db)
                {
                    key = golden
                }
                if let key { result[legacy] = key }
            }
            return result
        }
    }

    /// The account group of each member, in order: survivors' as loaded, canonical records' read
    /// from the ledger (by legacy key, so two records sharing a canonical key keep their own).
    func accountGroups(_ members: [Member], ledger: Ledger) throws -> [String?] {
        let records = members.filter { !$0.isSurvivor }.map(\.legacyKey)
        let byLegacyKey = try ledger.database.read { db in
            try CanonicalStore.accountGroups(run: mapRun, legacyKeys: records, db: db)
        }
        return members.map { $0.isSurvivor ? survivorAccountGroups[$0.key] : byLegacyKey[$0.legacyKey] }
    }

    /// Reads and decodes the customers of `members`.
    func customers(_ chunk: ArraySlice<Member>, ledger: Ledger) throws -> [String: CanonicalCustomer] {
        try data(chunk, ledger: ledger).compactMapValues(\.customer)
    }

    /// The canonical records of `members` as stored, by canonical key.
    func data(_ chunk: ArraySlice<Member>, ledger: Ledger) throws -> [String: CanonicalStore.Stored] {
        // On the ledger's reader: the dry run's plan writer holds the main connection for long writes.
        try ledger.reader().read { db in
            let records = chunk.filter { !$0.isSurvivor }.map(\.legacyKey)
            let survivors = chunk.filter(\.isSurvivor).map(\.key)
            var result = try CanonicalStore.data(run: mapRun, legacyKeys: records, db: db)
            if let duplicatesRun, !survivors.isEmpty {
                result.merge(
                    try DuplicateStore.survivorData(duplicatesRun: duplicatesRun, goldenKeys: survivors, db: db)
                ) {
                    _, survivor in survivor
                }
            }
            return result
        }
    }
}
