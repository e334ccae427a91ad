import Foundation
import GRDB

/// What `custmig reconcile` found: counts from the ledger and from the target, each by SQL on its own
/// side, the plan's control totals against the target's, and every customer whose row in the target
/// is not what the plan says it should be.
public struct Reconciliation: Sendable, Codable {
    public struct Mismatch: Sendable, Codable {
        public var canonicalKey: String
        public var customerId: String
        public var action: String
        public var problem: String
        /// The customer's name as the plan has it, so an owner knows which customer (masked with `--mask-pii`).
        public var name: String?
    }

    public var plan: Int64
    public var target: String
    /// The map run's records by outcome (canonical records by status, merged into survivors, malformed).
    public var source: [String: Int]
    /// The plan's actions, counted in the ledger.
    public var planned: [String: Int]
    /// Customers the target holds for the plan: crosswalked by it, and each action's rows as expected.
    public var inTarget: [String: Int]
    public var expectedTotals: ControlTotals
    public var targetTotals: ControlTotals
    /// The custmig that reconciled (the JSON report names it, as the HTML one does).
    public var custmigVersion = CustmigVersion.current
    public var mismatches: [Mismatch]
    public var mismatchCount: Int
    public var reports: [String]
    /// The plan's batches, and how many of them the target's bookkeeping holds as committed: none means
    /// the plan is not applied there (never cut over, or rolled back), so differences are expected.
    public var batches: Int?
    public var batchesCommitted: Int?
    /// True when the customers' names are masked (`--mask-pii`), for a report sent to a wider audience.
    public var personalDataMasked: Bool?

    public var matches: Bool { mismatchCount == 0 && expectedTotals == targetTotals }

    /// The map run's records read: every outcome once (records merged into a survivor are among them).
    public var recordsRead: Int { source.filter { $0.key != "merged" }.values.reduce(0, +) }

    /// The source counts as a line that adds up to the records read; the merged ones are said as part
    /// of them, not added to them.
    public var sourceSummary: String {
        let outcomes = source.filter { $0.key != "merged" }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        var text = "\(recordsRead) records read: " + outcomes.joined(separator: ", ")
        if let merged = source["merged"], merged > 0 { text += "; \(merged) of them merged into survivors" }
        return text
    }
}

public enum ReconcileStage {
    /// Compares plan `reference` (the latest by default) with the target as it is now; the plan is
    /// read `chunkSize` actions at a time. `maskPII` masks the names of the customers that differ.
    /// `command` checks again (said when Ctrl-C stops it between chunks: it only reads, so nothing is lost).
    public static func run(
        plan reference: String, workspace: Workspace, target: any Target, limit: Int = 200, chunkSize: Int = 4_096,
        maskPII: Bool = false, command: String = "custmig reconcile", progress: ProgressHandler? = nil
    ) async throws -> Reconciliation {
        let ledger = workspace.ledger
        let plan = try PlanStore.resolve(reference, ledger: ledger)
        let summary = try PlanStore.summary(plan: plan, ledger: ledger)
        // The ledger's counts (a scan of the map run's records) are taken on a child task of their own
        // while the target is read.
        async let ledgerCounts = Self.ledgerCounts(plan: plan, summary: summary, ledger: ledger)
        var inTarget: [String: Int] = [:]
        var mismatches: [Reconciliation.Mismatch] = []
        var mismatchCount = 0
        inTarget["crosswalked by this plan"] = try target.crosswalkCount(planHash: summary.contentHash)
        // Customers the target refused at the cutover are rejects: expected as the plan read them.
        var expectedTotals = summary.after
        let refused = try Self.refused(plan: plan, ledger: ledger, expectedTotals: &expectedTotals)
        if !refused.isEmpty {
            inTarget["refused by the target at the cutover"] = refused.count
            expectedTotals.dropZeros()
        }
        // The target's control totals are summed on a child task of their own meanwhile; a target whose
        // reads are calls sums those of the customers read below and reads only the others after them.
        let totalsReader = target.tallyReads() ? nil : try target.controlTotalsReader()
        async let targetTotals = try totalsReader?()
        // Every customer of the plan: its target row as the plan expects it now (written: the plan's
        // image; not written: as the plan read it, or still absent). The plan is read a chunk ahead,
        // on a child task, while the target rows of the chunk before are fingerprinted.
        let chunks = PlanChunks(plan: plan, database: try ledger.reader(), size: chunkSize)
        let readFingerprints = try target.fingerprintReader()
        let actionsPlanned = Int64(summary.counts.values.reduce(0, +))
        var checked: Int64 = 0
        var number = 0
        try await ReadAhead.forEach(read: { try chunks.next() }) { chunk in
            defer { number += 1 }
            if number > 0 { FaultPoint.reach("reconcile.chunk-checked") }
            try Interruption.check(
                kept: "nothing to keep: a reconciliation only reads (\(checked) of \(actionsPlanned) customers of plan "
                    + "\(plan) checked, no report written)",
                resume: "run `\(command)` to check the plan again from the start.")
            progress?(StageProgress("reconcile", done: checked, total: actionsPlanned, unit: .customers))
            checked += Int64(chunk.count)
            let ids = chunk.compactMap(\.customerId)
            let now = try await readFingerprints(ids)
            // A customer with a fingerprint exists; only the others are looked up (absent, or a row
            // that cannot be read).
            let unknown = ids.filter { now[$0] == nil }
            let present = Set(now.keys).union(try target.existing(ids: unknown))
            // The written rows' expected fingerprints: taken by the dry run as it wrote the plan, or (plans
            // written before it did) by hashing the images on every core.
            let written = await ParallelWork.map(chunk.indices) { index -> String? in
                guard chunk[index].batch != nil else { return nil }
                if let stored = chunk[index].imageFingerprint { return stored }
                return chunk[index].image.flatMap { CustomerImage.imageFingerprint(json: $0) }
            }
            for (row, writtenFingerprint) in zip(chunk, written) {
                let action = row.action
                guard let id = row.customerId else { continue }
                var expected: String?
                var problem: String?
                if refused.contains(row.canonicalKey) {
                    if row.expectAbsent {
                        if present.contains(id) { problem = "refused at the cutover, yet present in the target" }
                    } else if let fingerprint = row.fingerprint, now[id] != fingerprint {
                        problem = "refused at the cutover, yet the target row changed since the plan read it"
                    }
                } else if let writtenFingerprint {
                    expected = writtenFingerprint
                    if now[id] != expected {
                        problem =
                            present.contains(id)
                            ? "the target row differs from what the plan loads" : "missing in the target"
                    }
                } else if row.expectAbsent {
                    if present.contains(id), action != "reject" {
                        problem = "present in the target although the plan did not load it"
                    }
                } else if let fingerprint = row.fingerprint {
                    expected = fingerprint
                    if now[id] != fingerprint { problem = "the target row changed since the plan read it" }
                }
                if let problem {
                    mismatchCount += 1
                    if mismatches.count < limit {
                        mismatches.append(
                            .init(
                                canonicalKey: row.canonicalKey, customerId: id, action: action, problem: problem,
                                name: row.name.map { maskPII ? PersonalData.mask($0) : $0 }))
                    }
                } else if expected != nil {
                    inTarget[action, default: 0] += 1
                }
            }
        }
        let (source, planned) = try await ledgerCounts
        var result = Reconciliation(
            plan: plan, target: target.location.description, source: source, planned: planned, inTarget: inTarget,
            expectedTotals: expectedTotals,
            targetTotals: try await targetTotals ?? target.controlTotalsReader()(), mismatches: mismatches,
            mismatchCount: mismatchCount, reports: [])
        result.batches = summary.batches
        result.personalDataMasked = maskPII ? true : nil
        result.batchesCommitted = try target.committedBatches(planHash: summary.contentHash).count
        result.reports = try ReconciliationReport.write(result, folder: try workspace.reportFolder(plan: plan))
        return result
    }
}

extension ReconcileStage {
    /// The map run's record counts by status and the plan's action counts, from the ledger.
    fileprivate static func ledgerCounts(
        plan: Int64, summary: PlanSummary, ledger: Ledger
    ) throws -> (
        source: [String: Int], planned: [String: Int]
    ) {
        try ledger.database.read { db in
            var source = try CanonicalStore.statusCounts(run: summary.mapRun, db: db)
            source["malformed"] = try MalformedStore.recordCount(run: summary.mapRun, db: db)
            if let run = summary.duplicatesRun {
                let survivors = try DuplicateStore.survivors(run: run, withData: false, db: db)
                source["merged"] = survivors.reduce(0) { $0 + $1.members.count - 1 }
            }
            return (source, try PlanStore.actionCounts(plan: plan, db: db))
        }
    }

    /// Customers the target refused at the cutover, taken out of the expected totals (their image) and
    /// put back as the plan read them (their before-image).
    fileprivate static func refused(
        plan: Int64, ledger: Ledger, expectedTotals: inout ControlTotals
    ) throws
        -> Set<String>
    {
        var refused = Set<String>()
        try ledger.database.read { db in
            for (key, before) in try PlanStore.refusedWithBefore(plan: plan, db: db) {
                refused.insert(key)
                if let image = try PlanRecords.image(plan: plan, canonicalKey: key, batch: nil, db: db) {
                    expectedTotals.add(image, sign: -1)
                }
                if let before = before.flatMap(CustomerImage.init(json:)) { expectedTotals.add(before) }
            }
        }
        return refused
    }
}

/// A plan's applied and unapplied actions (reference passes left out), read in `seq` order a chunk at a
/// time, each chunk in its own read from where the one before ended (the workspace lock keeps the
/// plan as it is between them).
///
/// Not Sendable: handed whole to the read-ahead task, the one that calls `next()`.
private final class PlanChunks {
    let plan: Int64
    let database: DatabasePool
    let size: Int
    private var after: Int64 = -1

    init(plan: Int64, database: DatabasePool, size: Int) {
        self.plan = plan
        self.database = database
        self.size = max(1, size)
    }

    /// The next chunk; nil at the end.
    func next() throws -> [PlanStore.CheckedAction]? {
        let rows = try database.read { db in
            try PlanStore.checkedActions(plan: plan, after: after, limit: size, db: db)
        }
        guard let last = rows.last else { return nil }
        after = last.seq
        return rows
    }
}

/// The reconciliation as JSON and as a page a person can read.
enum ReconciliationReport {
    static func write(_ reconciliation: Reconciliation, folder: String) throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = folder + "/reconciliation.json"
        // Mode 0600 whatever the umask, as every report (they name customers).
        let jsonOutput = try FileOutput(path: json, mode: 0o600)
        try jsonOutput.write(String(decoding: try encoder.encode(reconciliation), as: UTF8.self))
        try jsonOutput.close()
        let e = HTML.escape
        var html =
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Reconciliation, plan \(reconciliation.plan)</title>"
        html += "<style>\(HTML.style)</style></head><body><header><h1>Reconciliation — plan \(reconciliation.plan)</h1>"
        html +=
            "<div class=\"facts\"><span>\(e(reconciliation.target))</span><span>\(reconciliation.matches ? "matches" : "MISMATCH")</span>"
            + (reconciliation.personalDataMasked == true ? "<span>personal data masked</span>" : "")
            + "</div></header><main>"
        if !reconciliation.matches {
            html += "<div class=\"errors\">\(reconciliation.mismatchCount) customers differ from the plan"
            html += reconciliation.expectedTotals == reconciliation.targetTotals ? "" : "; the control totals differ"
            html += ".</div>"
        }
        func table(_ title: String, _ values: [String: Int]) -> String {
            "<h3>\(title)</h3><table>"
                + values.sorted { $0.key < $1.key }.map {
                    "<tr><td>\(e($0.key))</td><td class=num>\($0.value)</td></tr>"
                }.joined() + "</table>"
        }
        html +=
            "<div class=\"cards\"><div class=\"card\">"
            + table(
                "Source (map run): \(reconciliation.recordsRead) records read",
                reconciliation.source.filter { $0.key != "merged" })
            + (reconciliation.source["merged"].map {
                "<p class=\"muted\">\($0) of them merged into survivors (counted above, not again)</p>"
            } ?? "") + "</div>"
        html += "<div class=\"card\">" + table("Planned", reconciliation.planned) + "</div>"
        html += "<div class=\"card\">" + table("In the target as planned", reconciliation.inTarget) + "</div>"
        html +=
            "<div class=\"card\"><h3>Control totals</h3>"
            + PlanReport.totals(reconciliation.expectedTotals, reconciliation.targetTotals)
            .replacingOccurrences(of: ">now<", with: ">planned<").replacingOccurrences(of: ">after<", with: ">target<")
            + "</div></div>"
        if !reconciliation.mismatches.isEmpty {
            html +=
                "<h2>Customers that differ</h2><table><tr><th>key</th><th>target id</th><th>customer</th><th>action</th><th>problem</th></tr>"
            for mismatch in reconciliation.mismatches {
                html +=
                    "<tr><td><code>\(e(mismatch.canonicalKey))</code></td><td><code>\(e(mismatch.customerId))</code></td>"
                    + "<td>\(e(mismatch.name ?? ""))</td>"
                html += "<td>\(e(mismatch.action))</td><td>\(e(mismatch.problem))</td></tr>"
            }
            html += "</table>"
        }
        html += "</main>\(HTML.colophon)</body></html>"
        let path = folder + "/reconciliation.html"
        let page = try FileOutput(path: path, mode: 0o600)
        try page.write(html)
        try page.close()
        return [path, json]
    }
}
