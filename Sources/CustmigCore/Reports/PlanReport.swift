import Foundation
import GRDB

/// The dry run's diff report for the business owners who sign a plan off: self-contained HTML
/// (no external assets, plain JavaScript filters that work from a local file) with tiles per action,
/// control totals before and after, the fields that change most, the changes per customer, conflicts,
/// kept target changes, deactivations, rejects, and a sign-off block naming the plan id and hash.
/// Each section shows its first `reportLimit` customers with totals and points to the full CSV/JSON.
public enum PlanReport {
    public static func write(
        plan: Int64, summary: PlanSummary, ledger: Ledger, folder: String, workspace: String, options: DryRunOptions
    ) async throws -> [String] {
        // The page's rows (reject groups above all) are read on a child task while the exports stream the
        // plan; the page is written last, with the export's size.
        let reader = try ledger.reader()
        async let rows = reader.read { db in try PageRows(plan: plan, db: db, options: options) }
        let exports = try await PlanExport.write(
            plan: plan, summary: summary, ledger: ledger, folder: folder, mask: options.maskPII)
        return [
            try writePage(
                rows: try await rows, plan: plan, summary: summary, folder: folder, workspace: workspace,
                options: options, fieldExport: exports.fieldExport)
        ]
            + exports.paths
    }

    /// The plan's page again (not its exports), e.g. once it is approved: the page shows the approval.
    /// Masked as the plan's last reports were (plan.json says whether).
    public static func rewritePage(plan: Int64, workspace: Workspace) throws -> String {
        let folder = try workspace.reportFolder(plan: plan)
        var options = DryRunOptions(command: "")
        let json = FileHandle(forReadingAtPath: folder + "/plan.json")
        let head = String(decoding: json?.readData(ofLength: 262_144) ?? Data(), as: UTF8.self)
        try? json?.close()
        options.maskPII = head.contains("\"maskedPersonalData\":true")
        let summary = try PlanStore.summary(plan: plan, ledger: workspace.ledger)
        let rows = try workspace.ledger.database.read { db in try PageRows(plan: plan, db: db, options: options) }
        return try writePage(
            rows: rows, plan: plan, summary: summary, folder: folder, workspace: workspace.path,
            options: options, fieldExport: fieldExport(json: folder + "/plan.json"))
    }

    /// The field-level export's size that plan.json states at its end (nil for an older plan.json).
    static func fieldExport(json path: String) -> PlanExport.FieldExportSize? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        let end = (try? file.seekToEnd()) ?? 0
        try? file.seek(toOffset: end > 512 ? end - 512 : 0)
        let tail = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        guard let start = tail.range(of: "\"fieldExport\":")?.upperBound,
            let close = tail[start...].firstIndex(of: "}")
        else { return nil }
        return try? JSONDecoder().decode(
            PlanExport.FieldExportSize.self, from: Data(tail[start...close].utf8))
    }

    /// What the page shows of the plan's rows: reject groups, the first rows of each section and of
    /// the kept target changes.
    struct PageRows: Sendable {
        var sections: [PlanAction: [PlanReportRow]] = [:]
        var kept: [PlanReportRow] = []
        var rejects: [RejectGroup] = []

        init(plan: Int64, db: Database, options: DryRunOptions) throws {
            rejects = try RejectGroup.read(plan: plan, db: db, mask: options.maskPII)
            for action in [PlanAction.update, .link, .conflict, .insert, .deactivate] {
                let rows = try PlanStore.reportRows(plan: plan, action: action, limit: options.reportLimit, db: db)
                sections[action] = try PlanReportRow.read(rows, plan: plan, mask: options.maskPII, db: db)
            }
            let rows = try PlanStore.reportRowsKeepingTarget(plan: plan, limit: options.reportLimit, db: db)
            kept = try PlanReportRow.read(rows, plan: plan, mask: options.maskPII, db: db)
        }
    }

    private static func writePage(
        rows: PageRows, plan: Int64, summary: PlanSummary, folder: String, workspace: String, options: DryRunOptions,
        fieldExport: PlanExport.FieldExportSize?
    ) throws -> String {
        let path = folder + "/plan.html"
        let html = render(
            plan: plan, summary: summary, sections: rows.sections, kept: rows.kept, rejects: rows.rejects,
            workspace: workspace, options: options, fieldExport: fieldExport)
        let output = try FileOutput(path: path, mode: 0o600)
        try output.write(html)
        try output.close()
        return path
    }

    static let actionsShown: [(PlanAction, String, String)] = [
        (.insert, "Insert", "new customers created in the target"),
        (.link, "Link", "customers already in the target, matched and linked"),
        (.update, "Update", "customers whose fields change"),
        (.unchanged, "Unchanged", "nothing to do"),
        (.conflict, "Conflict", "changed on both sides: not loaded until settled"),
        (.deactivate, "Deactivate", "gone from the full extract: set inactive"),
        (.reject, "Reject", "not loaded, with the reason"),
    ]

    static func render(
        plan: Int64, summary: PlanSummary, sections: [PlanAction: [PlanReportRow]], kept: [PlanReportRow],
        rejects: [RejectGroup] = [], workspace: String, options: DryRunOptions,
        fieldExport: PlanExport.FieldExportSize? = nil
    ) -> String {
        let e = HTML.escape
        var html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dry run plan \(plan)</title>"
        html += "<style>\(HTML.style)\(style)</style></head><body>"
        html += "<header><h1>Dry run — plan \(plan)</h1><div class=\"facts\"><span>target \(e(summary.target))</span>"
        html += "<span>map run \(summary.mapRun)</span>"
        if let run = summary.duplicatesRun { html += "<span>duplicates run \(run)</span>" }
        html +=
            "<span>numbering \(e(summary.numbering))</span><span>\(summary.batches) batches of up to \(summary.batchSize)</span>"
        html += "<span>hash <code>\(summary.contentHash.prefix(16))…</code></span>"
        if options.maskPII { html += "<span>personal data masked</span>" }
        html += "</div></header><main>"
        if summary.deactivationGateFailed {
            html +=
                "<div class=\"errors\">This plan deactivates \(summary.counts["deactivate"] ?? 0) customers, more than the mapping allows "
                + "(max_deactivations: \(summary.deactivationCap ?? 0)). A truncated extract? The plan fails its gate.</div>"
        }
        if summary.rehearsed == false {
            html +=
                "<div class=\"warnings\">Not rehearsed on the target: it cannot replay a plan and roll it back, so this plan "
                + "was checked against its code lists only. The target may still refuse customers at the cutover.</div>"
        }
        if let notLoaded = summary.notLoaded, !notLoaded.isEmpty {
            let fields = notLoaded.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .map { "<code>\(e($0.key))</code> (\(HTML.grouped($0.value)))" }
            html +=
                "<div class=\"warnings\">Not loaded: the target has no place for these fields, so the plan leaves them out "
                + "(customers with a value in brackets): " + fields.joined(separator: ", ") + ".</div>"
        }
        if summary.refusedInRehearsal > 0 {
            html +=
                "<div class=\"warnings\">\(summary.refusedInRehearsal) customers were refused by the target when the cutover was "
                + "replayed (and rolled back); they are listed under Reject.</div>"
        }
        if let old = summary.supersedes {
            html +=
                "<div class=\"warnings\">This plan supersedes plan \(old): \(summary.actionChangeCount) customers have another action.</div>"
        }
        html += "<div class=\"tiles\">"
        for (action, title, hint) in actionsShown {
            let count = summary.counts[action.rawValue] ?? 0
            html +=
                "<div class=\"tile \(action.rawValue)\"><div class=\"n\">\(HTML.grouped(count))</div><div class=\"t\">\(title)</div>"
            html += "<div class=\"muted\">\(hint)</div></div>"
        }
        html += "</div>"
        html += overview(summary)
        html +=
            "<section class=\"card\"><h2>Control totals</h2><p class=\"muted\">The target now, and after the cutover of this plan.</p>"
        html += "<div class=\"cols\">" + totals(summary.before, summary.after) + "</div></section>"
        let changed = (summary.counts["update"] ?? 0) + (summary.counts["link"] ?? 0)
        if changed > 0 || summary.fieldChanges.isEmpty == false {
            let fields = summary.fieldChanges.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(15)
            html += "<section class=\"card\"><h2>Fields that change most</h2>"
            html += HTML.barChart(fields.map { ($0.key, $0.value) }, total: max(1, changed), width: 620)
            html += "</section>"
        }
        let inserts = summary.counts["insert"] ?? 0
        if inserts > 0, let filled = summary.fieldsFilled, !filled.isEmpty {
            // The least filled first: a field few of them fill is the one to look at.
            let fields = filled.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.prefix(40)
            html +=
                "<section class=\"card\"><h2>What the \(HTML.grouped(inserts)) new customers bring</h2><p class=\"muted\">"
                + "How many of the new customers have a value in each field, the least filled first.</p>"
            html += HTML.barChart(fields.map { ($0.key, $0.value) }, total: inserts, width: 620)
            html += "</section>"
        }
        // What needs a decision before what is routine: rejects, then conflicts, then the changes.
        html += rejectSection(rejects, total: summary.counts["reject"] ?? 0)
        if changed > 0 { html += changesSection(sections, summary: summary, options: options) }
        html += listSection(
            "Conflicts", rows: sections[.conflict] ?? [], total: summary.counts["conflict"] ?? 0, options: options,
            showFields: true)
        html += keptSection(kept, options: options)
        html += listSection(
            "Inserts", rows: sections[.insert] ?? [], total: summary.counts["insert"] ?? 0, options: options,
            showFields: false)
        html += listSection(
            "Deactivations", rows: sections[.deactivate] ?? [], total: summary.counts["deactivate"] ?? 0,
            options: options, showFields: false)
        html += filesSection(plan: plan, workspace: workspace, fieldExport: fieldExport)
        if let approver = summary.approvedBy {
            let when = summary.approvedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "?"
            html +=
                "<section class=\"card signoff approved\"><h2>Approved</h2><p>Plan <b>\(plan)</b> was approved by "
                + "<b>\(e(approver))</b> on \(e(when)) for content hash <code>\(summary.contentHash)</code>. The cutover "
                + "applies exactly this content; a dry run that finds another plan needs a new approval.</p></section>"
        }
        html += "<section class=\"card signoff\"><h2>Sign-off</h2><p>I have reviewed plan <b>\(plan)</b> "
        html += "(content hash <code>\(summary.contentHash)</code>) and approve its cutover.</p>"
        html += "<p>Name: ______________________ &nbsp; Role: ______________ &nbsp; Date: ____________</p>"
        html +=
            "<p class=\"muted\">Record it with <code>"
            + e(SuggestedCommand.text("approve \(plan) --by \"NAME\"", workspace: workspace))
            + "</code>. A later dry run that finds "
        html += "a different plan supersedes this one, and the approval does not carry over.</p></section>"
        html += "</main>\(HTML.colophon)<script>\(script)</script></body></html>"
        return html
    }

    /// The plan at a glance, in charts: customers per action, and the target after the cutover by
    /// country and by account group (with how many of each the plan adds).
    static func overview(_ summary: PlanSummary) -> String {
        let customers = summary.counts.values.reduce(0, +)
        guard customers > 0 else { return "" }
        var html = "<section class=\"card\"><h2>At a glance</h2><div class=\"cols\">"
        let actions = actionsShown.compactMap { action, title, _ in
            summary.counts[action.rawValue].map { (title, $0) }
        }.filter { $0.1 > 0 }
        html += "<div><h3>Customers per action</h3>" + HTML.barChart(actions, total: customers, width: 300) + "</div>"
        for (title, before, after) in [
            ("by country", summary.before.byCountry, summary.after.byCountry),
            ("by account group", summary.before.byAccountGroup, summary.after.byAccountGroup),
        ] where !after.isEmpty {
            let rows = after.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(12).map { key, count in
                let added = count - (before[key] ?? 0)
                return ("\(key) \(added >= 0 ? "+" : "")\(HTML.grouped(added))", count)
            }
            html +=
                "<div><h3>The target after the cutover, \(title)</h3>"
                + HTML.barChart(Array(rows), total: max(1, summary.after.customers), width: 300) + "</div>"
        }
        return html + "</div></section>"
    }

    static func totals(_ before: ControlTotals, _ after: ControlTotals) -> String {
        func table(_ title: String, _ a: [String: Int], _ b: [String: Int], limit: Int = 20) -> String {
            let keys = Set(a.keys).union(b.keys).sorted { (b[$1] ?? a[$1] ?? 0, $0) < (b[$0] ?? a[$0] ?? 0, $1) }
            var html =
                "<div><h3>\(title)</h3><table><tr><th></th><th class=num>now</th><th class=num>after</th><th class=num>Δ</th></tr>"
            for key in keys.prefix(limit) {
                let x = a[key] ?? 0
                let y = b[key] ?? 0
                html +=
                    "<tr><td>\(HTML.escape(key))</td><td class=num>\(HTML.grouped(x))</td><td class=num>\(HTML.grouped(y))</td>"
                html +=
                    "<td class=\"num\(x == y ? " muted" : "")\">\(y - x >= 0 ? "+" : "")\(HTML.grouped(y - x))</td></tr>"
            }
            if keys.count > limit {
                html += "<tr><td class=muted colspan=4>… \(keys.count - limit) more in plan.json</td></tr>"
            }
            return html + "</table></div>"
        }
        var html = table(
            "Customers by status", before.byStatus.merging(["all": before.customers]) { a, _ in a },
            after.byStatus.merging(["all": after.customers]) { a, _ in a })
        html += table("Customers by country", before.byCountry, after.byCountry)
        html += table("Customers by account group", before.byAccountGroup, after.byAccountGroup)
        html += table("Rows", before.rows, after.rows)
        let currencies = Set(before.creditLimitCents.keys).union(after.creditLimitCents.keys).sorted()
        html +=
            "<div><h3>Sum of credit limits</h3><table><tr><th></th><th class=num>now</th><th class=num>after</th></tr>"
        for currency in currencies {
            html +=
                "<tr><td>\(HTML.escape(currency))</td><td class=num>\(ControlTotals.formatCents(before.creditLimitCents[currency] ?? 0))</td>"
            html += "<td class=num>\(ControlTotals.formatCents(after.creditLimitCents[currency] ?? 0))</td></tr>"
        }
        return html + "</table></div>"
    }

    static func changesSection(
        _ sections: [PlanAction: [PlanReportRow]], summary: PlanSummary, options: DryRunOptions
    ) -> String {
        let rows = (sections[.update] ?? []) + (sections[.link] ?? [])
        var countries = Set<String>()
        var fields = Set<String>()
        var body = ""
        for row in rows {
            countries.insert(row.country)
            for change in row.changes {
                let field = CustomerImage.ownershipName(change.path)
                fields.insert(field)
                body +=
                    "<tr data-action=\"\(row.action.rawValue)\" data-country=\"\(HTML.escape(row.country))\" data-field=\"\(HTML.escape(field))\">"
                body +=
                    "<td>\(row.action.rawValue)</td><td><code>\(HTML.escape(row.key))</code></td><td>\(HTML.escape(row.name))</td>"
                body += "<td>\(HTML.escape(row.country))</td><td>\(HTML.escape(CustomerImage.label(change.path)))</td>"
                body += "<td class=\"before\">\(HTML.escape(change.theirs ?? "∅"))</td><td>→</td>"
                body += "<td class=\"after \(change.outcome.rawValue)\">\(HTML.escape(change.after ?? "∅"))</td>"
                body += "<td class=\"muted\">\(outcomeText(change.outcome))</td></tr>"
            }
        }
        let total = (summary.counts["update"] ?? 0) + (summary.counts["link"] ?? 0)
        var html = "<section class=\"card\"><h2>Changes per customer</h2>"
        html += "<p class=\"muted\">\(HTML.grouped(total)) customers are updated or linked"
        if total > rows.count { html += "; the first \(rows.count) are shown, all are in plan.csv and plan.json" }
        html += ". Before is the target now; after is what the cutover leaves.</p>"
        html +=
            "<div class=\"filters\">" + select("action", ["update", "link"]) + select("country", countries.sorted())
            + select("field", fields.sorted()) + "<span id=\"shown\" class=\"muted\"></span></div>"
        html +=
            "<table id=\"changes\"><thead><tr><th>action</th><th>key</th><th>name</th><th>country</th><th>field</th>"
        html += "<th>before</th><th></th><th>after</th><th></th></tr></thead><tbody>\(body)</tbody></table></section>"
        return html
    }

    static func select(_ name: String, _ values: [String]) -> String {
        var html = "<label>\(name) <select data-filter=\"\(name)\"><option value=\"\">all</option>"
        for value in values { html += "<option>\(HTML.escape(value))</option>" }
        return html + "</select></label>"
    }

    static func outcomeText(_ outcome: FieldChange.Outcome) -> String {
        switch outcome {
        case .change: return "ours"
        case .keptTarget: return "kept: changed in the target since the last load"
        case .keptOwned: return "kept: the target owns this field"
        case .conflict: return "conflict: changed on both sides"
        case .resolvedOurs: return "conflict settled: ours"
        case .resolvedTheirs: return "conflict settled: target's kept"
        }
    }

    static func listSection(
        _ title: String, rows: [PlanReportRow], total: Int, options: DryRunOptions, showFields: Bool
    ) -> String {
        var html = "<section class=\"card\"><h2>\(title) <span class=\"muted\">\(HTML.grouped(total))</span></h2>"
        guard total > 0 else { return html + "<p class=\"muted\">none</p></section>" }
        if total > rows.count {
            html +=
                "<p class=\"muted\">The first \(rows.count) of \(HTML.grouped(total)); all are in plan.csv and plan.json.</p>"
        }
        html +=
            "<table><tr><th>key</th><th>target id</th><th>name</th><th>country</th><th>\(showFields ? "fields" : "what it holds, or why")</th></tr>"
        for row in rows {
            html +=
                "<tr><td><code>\(HTML.escape(row.key))</code></td><td><code>\(HTML.escape(row.customerId))</code></td>"
            html += "<td>\(HTML.escape(row.name))</td><td>\(HTML.escape(row.country))</td><td>"
            if showFields {
                for change in row.changes where change.outcome == .conflict {
                    // The target's value stays until the conflict is settled: nothing is struck through.
                    html +=
                        "<div><b>\(HTML.escape(CustomerImage.label(change.path)))</b>: loaded \(HTML.escape(change.base ?? "∅")), "
                    html +=
                        "target now <span class=kept>\(HTML.escape(change.theirs ?? "∅"))</span> (stays until settled), "
                    html += "ours <span class=ours>\(HTML.escape(change.ours ?? "∅"))</span>"
                    html +=
                        "<div class=muted>settle it: the line <code>\(HTML.escape(row.key)),\(HTML.escape(change.path)),ours,NAME</code> "
                        + "(or <code>theirs</code> to keep the target's) in conflict-resolutions.csv beside the mapping "
                        + "(columns key,field,resolution,who), "
                        + "then dry-run again</div></div>"
                }
            } else if row.reason.isEmpty && row.action == .insert {
                html += HTML.escape(Self.insertSummary(row))
            } else {
                html += HTML.escape(row.reason)
            }
            html += "</td></tr>"
        }
        return html + "</table></section>"
    }

    /// A new customer in one line a business owner recognizes: the first address and the contact
    /// channels (masked as the row is), then how many fields it brings.
    /// Where every customer is, and the size of what was left out of the reports.
    static func filesSection(plan: Int64, workspace: String, fieldExport: PlanExport.FieldExportSize?) -> String {
        var html =
            "<section class=\"card\"><h2>Every customer</h2><p><code>plan.csv</code> and <code>plan.json</code> beside "
            + "this page hold one line per customer action (key, legacy key, target id, name, country, action, number "
            + "of changed fields, reason) and one line per changed field of every update and conflict; unchanged "
            + "customers are counted above, not listed.</p>"
        if let fieldExport {
            html +=
                "<p>Every field of every customer, inserts included, is \(HTML.grouped(fieldExport.lines)) lines, about "
                + "\(ByteCount.text(fieldExport.bytes)) as CSV, and is written on request: <code>"
                + HTML.escape(
                    SuggestedCommand.text(
                        "plan export \(plan) --fields --out plan-\(plan)-fields.csv.gz", workspace: workspace))
                + "</code> (CSV or JSON Lines, gzip when the name ends in .gz).</p>"
        }
        return html + "</section>"
    }

    static func insertSummary(_ row: PlanReportRow) -> String {
        var first: [String: String] = [:]
        for change in row.changes {
            // Paths in order: the first address's (or contact's) value of a column comes first.
            let column = CustomerImage.split(change.path).column
            guard let value = change.after, !value.isEmpty, first[column] == nil else { continue }
            first[column] = value
        }
        let address = [
            first["street"], [first["postal_code"], first["city"]].compactMap { $0 }.joined(separator: " "),
        ]
        .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        let channels = [first["vat_id"].map { "VAT \($0)" }, first["email"], first["phone"]].compactMap { $0 }
        return ([address] + channels + ["\(row.changes.count) fields"]).filter { !$0.isEmpty }.joined(separator: " · ")
    }

    /// Every kind of reject once: its count, the reason in words, how to settle it, a few examples.
    static func rejectSection(_ groups: [RejectGroup], total: Int) -> String {
        let e = HTML.escape
        var html =
            "<section class=\"card\"><h2>Rejects by reason <span class=\"muted\">\(HTML.grouped(total))</span></h2>"
        guard total > 0 else { return html + "<p class=\"muted\">none</p></section>" }
        html +=
            "<p class=\"muted\">Not loaded by this plan. \(groups.count) kinds of reason, each once with its count and how "
            + "to settle it; every reject with its own reason is in plan.csv and plan.json.</p>"
        html +=
            "<table class=\"rejects\"><tr><th class=num>customers</th><th>reason</th><th>how to settle it</th><th>for example</th></tr>"
        for group in groups {
            html += "<tr><td class=num>\(HTML.grouped(group.count))</td><td>\(e(group.title))</td>"
            html += "<td>\(e(group.fix))</td><td>"
            for example in group.examples {
                html +=
                    "<div><code>\(e(example.key))</code> \(e(example.name))<div class=\"muted\">\(e(example.reason))</div></div>"
            }
            html += "</td></tr>"
        }
        return html + "</table></section>"
    }

    static func keptSection(_ rows: [PlanReportRow], options: DryRunOptions) -> String {
        var html =
            "<section class=\"card\"><h2>Kept target values</h2><p class=\"muted\">Fields someone changed in the target since "
        html +=
            "custmig loaded them, which ours did not change, and fields the target owns after the insert: the target's value stays.</p>"
        guard !rows.isEmpty else { return html + "<p class=\"muted\">none</p></section>" }
        html +=
            "<table><tr><th>key</th><th>name</th><th>field</th><th>loaded</th><th>ours</th><th>target now (kept)</th><th>why</th></tr>"
        for row in rows {
            for change in row.changes where change.outcome == .keptTarget || change.outcome == .keptOwned {
                html += "<tr><td><code>\(HTML.escape(row.key))</code></td><td>\(HTML.escape(row.name))</td>"
                html +=
                    "<td>\(HTML.escape(CustomerImage.label(change.path)))</td><td>\(HTML.escape(change.base ?? "∅"))</td>"
                html += "<td>\(HTML.escape(change.ours ?? "∅"))</td><td>\(HTML.escape(change.theirs ?? "∅"))</td>"
                html += "<td class=muted>\(outcomeText(change.outcome))</td></tr>"
            }
        }
        return html + "</table></section>"
    }

    static let style = """
        .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:0 0 16px}
        .tile{background:#fff;border:1px solid #dfe3ea;border-top:4px solid #4f7cff;border-radius:8px;padding:10px}
        .tile .n{font-size:26px;font-weight:700}.tile .t{font-weight:600}
        .tile.conflict,.tile.reject{border-top-color:#c81e1e}.tile.deactivate{border-top-color:#e59400}.tile.unchanged{border-top-color:#9aa3b2}
        .tile.insert{border-top-color:#137333}section.card{margin:0 0 16px}.cols{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}
        .before{color:#b42318;text-decoration:line-through}.kept{color:#1d2b4f;font-weight:600}.ours{color:#7a4d00;font-weight:600}.after{color:#137333;font-weight:600}.after.kept_target,.after.kept_target_owned,.after.conflict{color:#7a8496;font-weight:400}
        .filters{display:flex;gap:14px;margin:6px 0 10px;flex-wrap:wrap}.signoff{border:2px solid #1d2b4f}
        """

    static let script = """
        (function(){var sel=document.querySelectorAll('select[data-filter]');var rows=document.querySelectorAll('#changes tbody tr');
        function apply(){var f={};sel.forEach(function(s){f[s.getAttribute('data-filter')]=s.value;});var n=0;
        rows.forEach(function(r){var ok=(!f.action||r.dataset.action===f.action)&&(!f.country||r.dataset.country===f.country)&&(!f.field||r.dataset.field===f.field);
        r.style.display=ok?'':'none';if(ok)n++;});var s=document.getElementById('shown');if(s)s.textContent=n+' of '+rows.length+' changed fields shown';}
        sel.forEach(function(s){s.addEventListener('change',apply);});apply();})();
        """
}
