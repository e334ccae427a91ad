import Foundation
import Synchronization

/// A Tryton ERP reached over JSON-RPC (`tryton://USER@HOST:PORT/DB?company=ID`): parties are customers,
/// the party code is custmig's customer id. No call spans another, so there are no transactional
/// batches, no rehearsal and no snapshots; custmig's journal lives in the workspace (``TrytonJournal``)
/// and every call is preceded by its intent there, so a run killed between a call and its recorded
/// outcome resumes without creating or losing a customer.
public final class TrytonTarget: Target {
    public let tryton: TrytonLocation
    let client: JSONRPCClient
    /// The clients a batch's calls go out on at once, one per connection (`client` first).
    let connections: [JSONRPCClient]
    let journal: TrytonJournal
    let catalog: TrytonCatalog
    /// How a party's company-dependent fields are read (``TrytonCompanyValues``).
    let companyValues: TrytonCompanyValues
    /// Parties per create or write call (Tryton runs each call as one transaction).
    public var callSize = 100
    /// The IBANs a dry run's writes claim, so that a second party with one is predicted refused.
    private let ibanClaims = TrytonIBANClaims()
    /// Undo notes a batch's undo adds to its outcome (deletions Tryton refused).
    var undoNotes: [String] = []
    /// The control totals of the parties read since ``tallyReads()``.
    private let tally = TrytonReadTally()
    /// Whether a party just created is known from what was sent, and whether that was checked yet
    /// against a full read in this run (see `landedParties`).
    var lightReadBack = true
    var lightReadBackChecked = false
    private let password: String

    public var location: TargetLocation { .tryton(tryton) }
    public var capabilities: TargetCapabilities { [.rowFingerprints] }
    public var instance: String { journal.instance }
    public var sizeInBytes: Int64 { 0 }

    /// Opens the server (logs in, reads its code lists) and the journal kept in `workspace`.
    public init(location: TrytonLocation, workspace: String, calls: APICallSettings = APICallSettings()) throws {
        tryton = location
        password = try TargetPassword.read(for: location.description)
        client = JSONRPCClient(location: location, password: password, settings: calls)
        connections = [client] + (1..<max(1, calls.connections)).map { [client] _ in client.sibling() }
        callSize = max(1, calls.callSize)
        try client.login()
        catalog = try TrytonCatalog.read(client)
        companyValues = TrytonCompanyValues(client: client, company: location.company, defaults: catalog.partyDefaults)
        journal = try TrytonJournal(path: workspace + "/targets/" + location.journalFileName)
    }

    public var callStatistics: CallStatistics? {
        connections.map(\.statistics).reduce(into: CallStatistics()) { sum, one in
            sum.calls += one.calls
            sum.retries += one.retries
            sum.seconds += one.seconds
        }
    }

    public func close() throws {}

    /// The journal lives in each workspace, so its instance id differs between two workspaces loading one
    /// server: the lock is keyed by the server and database instead (on this machine; Tryton has no lock
    /// custmig could take for it).
    public func lockForWriting(holder: String) throws -> TargetWriteLock {
        try TargetWriteLock.local(key: "tryton " + location.description, target: location.description, holder: holder)
    }

    /// What the target offers and what custmig needs, for `target check`.
    public func check() -> [String] {
        [
            "company \(tryton.company): \(catalog.companyName) (party code \(catalog.companyCode ?? "none"))",
            "countries \(catalog.countries.ids.count), subdivisions \(catalog.subdivisions.ids.count), active languages \(catalog.languages.ids.count) (\(catalog.languages.ids.keys.sorted().joined(separator: ", ")))",
            "payment terms \(catalog.paymentTerms.ids.count) (\(catalog.paymentTerms.ids.keys.sorted().joined(separator: ", ")))",
            "receivable accounts of the company \(catalog.receivableAccounts.ids.count) (\(catalog.receivableAccounts.ids.keys.sorted().joined(separator: ", ")))",
            "identifier types \(catalog.identifierTypes.count) (eu_vat \(catalog.identifierTypes.contains("eu_vat") ? "yes" : "missing"))",
            "journal \(journal.path)",
        ]
    }

    /// What custmig needs and the target lacks (empty: ready).
    public func missing() -> [String] {
        var missing: [String] = []
        if catalog.countries.ids.isEmpty { missing.append("countries (run trytond_import_countries)") }
        if catalog.paymentTerms.ids.isEmpty { missing.append("payment terms (customers with terms will be rejected)") }
        if catalog.receivableAccounts.ids.isEmpty {
            missing.append(
                "a receivable account in company \(tryton.company) (reconciliation accounts will be rejected)")
        }
        if catalog.companyCode == nil {
            missing.append("a code on the company's party (company codes cannot be matched)")
        }
        return missing
    }

    /// Tryton has no place for some canonical fields and refuses VAT ids its check digits reject.
    public var takesImagesAsTheyAre: Bool { false }

    public func holdable(_ image: CustomerImage) -> (image: CustomerImage, notLoaded: [String]) {
        TrytonMapping.holdable(image, catalog: catalog)
    }

    public func predictedRefusal(_ image: CustomerImage, before: CustomerImage?) throws -> String? {
        // A write re-creates the party's identifiers, so any write validates its VAT id again.
        if let before, before.values == image.values { return nil }
        return try TrytonMapping.predictedRefusal(image, catalog: catalog)
            ?? ibanClaims.refusal(image, before: before, client: client)
    }

    // MARK: Reading

    public func codeLists() throws -> CodeLists { catalog.codeLists }

    public func loadedCrosswalk() throws -> LoadedCrosswalk { try journal.loadedCrosswalk() }

    public func customerIds() throws -> [String] {
        let codes = try TrytonParties.allCodes(client: client)
        tally.listed(codes)
        return codes
    }

    public func images(ids: [String]) throws -> [String: Result<CustomerImage, UnreadableTargetRow>] {
        let rows = try resolved(ids: ids).mapValues(\.rows)
        tally.add(rows)
        return rows.mapValues { .success(CustomerImage(rows: $0)) }
    }

    public func fingerprints(ids: [String]) throws -> [String: String] {
        let resolved = try resolved(ids: ids)
        tally.add(resolved.mapValues(\.rows))
        return resolved.mapValues(\.rows.fingerprint)
    }

    /// A client of its own (one login), opened on the first call; what it reads is tallied as
    /// ``fingerprints(ids:)`` tallies.
    public func fingerprintReader() throws -> @Sendable ([String]) async throws -> [String: String] {
        let (location, password, journal, catalog, values, tally) = (
            tryton, password, journal, catalog, companyValues, tally
        )
        let client = Mutex<JSONRPCClient?>(nil)
        return { ids in
            let parties = try client.withLock { client -> [String: TrytonParty] in
                if client == nil { client = JSONRPCClient(location: location, password: password) }
                return try TrytonParties.read(codes: ids, client: client!, values: values)
            }
            let resolved = try Self.resolve(parties, journal: journal, catalog: catalog)
            tally.add(resolved.mapValues(\.rows))
            return resolved.mapValues(\.rows.fingerprint)
        }
    }

    public func tallyReads() -> Bool {
        tally.start()
        return true
    }

    public func existing(ids: [String]) throws -> Set<String> {
        var found = Set<String>()
        for part in ids.chunked(TrytonRead.page) {
            let rows = try TrytonRead.searchRead(client, "party.party", [["code", "in", Array(part)]], ["code"])
            found.formUnion(rows.compactMap { $0.string("code") })
        }
        // Inactive parties too.
        let missing = ids.filter { !found.contains($0) }
        if !missing.isEmpty {
            found.formUnion(try TrytonParties.read(codes: missing, client: client, values: companyValues).keys)
        }
        return found
    }

    public func loaded(keys: [String], images: Bool) throws -> [String: LoadedCustomer] {
        try journal.loaded(keys: keys, images: images)
    }

    public func controlTotalsReader() throws -> @Sendable () throws -> ControlTotals {
        let (location, password, path, catalog, companyValues) = (
            tryton, password, journal.path, catalog, companyValues
        )
        // The parties read since tallyReads() are counted already: only the others are read (usually
        // the company's party and parties made in Tryton by hand).
        let tallied = tally.finish()
        return {
            let client = JSONRPCClient(location: location, password: password)
            let journal = try TrytonJournal(path: path)
            func add(_ parties: [String: TrytonParty], to totals: inout ControlTotals) throws {
                for (_, party) in try Self.resolve(parties, journal: journal, catalog: catalog) {
                    totals.add(CustomerImage(rows: party.rows))
                }
            }
            guard let tallied else {
                var totals = ControlTotals()
                try TrytonParties.forEachPage(client: client, values: companyValues) { try add($0, to: &totals) }
                return totals
            }
            var totals = tallied.totals
            let all = try tallied.allCodes ?? TrytonParties.allCodes(client: client)
            let others = all.filter { !tallied.codes.contains($0) }
            for part in others.chunked(TrytonRead.page) {
                try add(
                    try TrytonParties.read(codes: Array(part), client: client, values: companyValues), to: &totals)
            }
            return totals
        }
    }

    /// A party as custmig sees it: the image it wrote when the party is as it left it (or as a call
    /// whose outcome was not recorded left it), else the party translated (edited in Tryton, or made there).
    struct Resolved {
        var party: TrytonParty
        var rows: CustomerRows
        /// The rows are those of a call whose outcome was never recorded (it reached Tryton).
        var landedIntent: Bool
        var record: TrytonJournal.PartyRecord?
    }

    func resolved(ids: [String], on connection: JSONRPCClient? = nil) throws -> [String: Resolved] {
        try resolver.resolved(ids: ids, on: connection ?? client)
    }

    /// What resolving parties needs, apart from the target: for calls made on several connections at once.
    var resolver: Resolver { Resolver(journal: journal, catalog: catalog, values: companyValues) }

    struct Resolver: Sendable {
        let journal: TrytonJournal
        let catalog: TrytonCatalog
        let values: TrytonCompanyValues

        func resolved(ids: [String], on client: JSONRPCClient) throws -> [String: Resolved] {
            try TrytonTarget.resolve(
                try TrytonParties.read(codes: ids, client: client, values: values), journal: journal, catalog: catalog)
        }
    }

    static func resolve(
        _ parties: [String: TrytonParty], journal: TrytonJournal, catalog: TrytonCatalog
    ) throws -> [String: Resolved] {
        let codes = Array(parties.keys)
        let records = try journal.parties(codes: codes)
        let keys = try journal.keys(ofIds: codes)
        var result: [String: Resolved] = [:]
        for (code, party) in parties {
            let record = records[code]
            if let record, record.rawHash == party.rawHash, let image = record.image,
                let rows = CustomerRows.parse(json: image)?.rows
            {
                result[code] = Resolved(party: party, rows: rows, landedIntent: false, record: record)
            } else if let record, record.pendingCall != nil, let image = record.pendingImage,
                let rows = CustomerRows.parse(json: image)?.rows
            {
                result[code] = Resolved(party: party, rows: rows, landedIntent: true, record: record)
            } else {
                let rows = TrytonMapping.rows(
                    of: party, catalog: catalog, rowIds: record?.rowIds ?? [:], key: keys[code])
                result[code] = Resolved(party: party, rows: rows, landedIntent: false, record: record)
            }
        }
        return result
    }

    // MARK: Bookkeeping

    public func refusals(planHash: String) throws -> [RefusedAction] { try journal.refusals(planHash: planHash) }

    public func committedBatches(planHash: String) throws -> Set<Int> {
        try journal.committedBatches(planHash: planHash)
    }
    public func batchLayout(planHash: String) throws -> String? { try journal.batchLayout(planHash: planHash) }
    public func recordBatchLayout(planHash: String, layout: String) throws {
        try journal.recordBatchLayout(planHash: planHash, layout: layout)
    }
    public func crosswalkCount(planHash: String) throws -> Int { try journal.crosswalkCount(planHash: planHash) }
    public func forEachCrosswalkEntry(_ body: (String, String, String) throws -> Void) throws {
        try journal.forEachCrosswalkEntry(body)
    }
    public func crosswalkEntry(_ reference: String) throws -> TargetCrosswalkEntry? {
        try journal.crosswalkEntry(reference)
    }
    public func forgetUndo(planHashes: [String]) throws -> Int { try journal.forgetUndo(planHashes: planHashes) }
    public func loadSession() throws -> any TargetLoadSession { QuietLoadSession() }

    public func rehearsal(copyFolder: String?) throws -> any TargetRehearsal {
        try require(
            .rehearsal, for: "rehearse a plan", fix: "a Tryton plan is checked against the target's code lists only.")
        throw CustmigError(
            .usage, code: "TARGET-CAPABILITY", "\(location.redacted) cannot rehearse a plan.",
            fix: "a Tryton plan is checked against the target's code lists only.")
    }

    // MARK: Snapshots: Tryton has none.

    public func snapshot(planHash: String) throws -> TargetSnapshot? { nil }

    public func takeSnapshot(planHash: String, name: String, folder: String) throws -> TargetSnapshot {
        try require(.snapshots, for: "take a snapshot", fix: "roll back with --mode surgical.")
        throw CancellationError()
    }

    public func restore(_ snapshot: TargetSnapshot, safetyName: String, folder: String) throws -> String {
        try require(.snapshots, for: "restore a snapshot", fix: "roll back with --mode surgical.")
        throw CancellationError()
    }

    public func dropSnapshots(planHash: String, safetyPrefix: String) throws -> [String] { [] }
}
