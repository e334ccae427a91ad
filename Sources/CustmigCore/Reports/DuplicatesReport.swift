import Foundation
import GRDB

/// The duplicates report for people: each cluster's members side by side with the fields that differ
/// highlighted and each pair's score broken down per field; then the pairs for review. Self-contained
/// HTML (no external assets), the first `limit` clusters and pairs with totals.
public enum DuplicatesReport {
    /// `mask` hides the personal values (phones, e-mails, VAT ids) as the masked plan report does.
    public static func write(
        run: Int64, ledger: Ledger, folder: String, limit: Int = 200, mask: Bool = false
    ) throws -> String {
        let decoder = JSONDecoder()
        var clusters: [(golden: String, members: [CanonicalCustomer])] = []
        var pairs:
            [(outcome: String, first: String, second: String, score: Double, evidence: [CustomerMatcher.Evidence])] = []
        var totals = (clusters: 0, review: 0)
        var summary: DuplicatesSummary?
        try ledger.database.read { db in
            summary = try RunStore.run(run, db: db)?.summary
                .flatMap { try? decoder.decode(DuplicatesSummary.self, from: Data($0.utf8)) }
            let mapRun = try RunStore.latestFinishedMap(before: run, db: db)
            totals.clusters = try DuplicateStore.survivorCount(run: run, db: db)
            totals.review = try DuplicateStore.reviewPairCount(run: run, db: db)
            let shown = try DuplicateStore.survivors(run: run, limit: limit, withData: false, db: db).map {
                (golden: $0.goldenKey, keys: $0.members)
            }
            // Members are canonical keys, which the ledger does not index: one pass over the map run
            // finds them all (a lookup per member scanned the run each time: 35 s at 1M customers).
            var wanted = Set(shown.flatMap(\.keys))
            var customerOf: [String: CanonicalCustomer] = [:]
            if !wanted.isEmpty, let mapRun {
                try CanonicalStore.forEachRecord(run: mapRun, db: db) { record in
                    if wanted.remove(record.key) != nil {
                        customerOf[record.key] = record.customer
                    }
                    return !wanted.isEmpty
                }
            }
            for cluster in shown {
                clusters.append((cluster.golden, cluster.keys.compactMap { customerOf[$0] }))
            }
            for pair in try DuplicateStore.pairs(run: run, limit: limit * 2, db: db) {
                let evidence =
                    (try? decoder.decode([CustomerMatcher.Evidence].self, from: Data(pair.evidence.utf8))) ?? []
                pairs.append((pair.outcome, pair.first, pair.second, pair.score, evidence))
            }
        }
        var html =
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Duplicates, run \(run)</title>"
        html += "<style>\(HTML.style) .diff{background:#fff4c2} td{vertical-align:top}</style></head><body>"
        html +=
            "<header><h1>Duplicates — run \(run)</h1><div class=\"facts\"><span>\(HTML.grouped(totals.clusters)) clusters merged, "
        html += "\(HTML.grouped(totals.review)) pairs for review"
        if mask { html += "</span><span>personal data masked" }
        if totals.clusters > clusters.count { html += " (first \(clusters.count) clusters shown)" }
        html += "</span></div></header><main>"
        html += "<h2>Pairs for review</h2>" + pairTable(pairs.filter { $0.outcome == "review" })
        if let summary { html += scoring(summary) }
        html += "<h2>Merged clusters</h2>"
        let scoreOf = Dictionary(pairs.map { ($0.first + "|" + $0.second, $0) }, uniquingKeysWith: { a, _ in a })
        for cluster in clusters {
            html +=
                "<section class=\"card\" style=\"margin-bottom:12px\"><h2>golden key \(HTML.escape(cluster.golden))</h2>"
            html += memberTable(cluster.members, mask: mask)
            let keys = cluster.members.map(\.key).sorted()
            for (index, a) in keys.enumerated() {
                for b in keys[(index + 1)...] {
                    if let pair = scoreOf[a + "|" + b] { html += pairTable([pair]) }
                }
            }
            html += "</section>"
        }
        html += "</main>\(HTML.colophon)</body></html>\n"
        let path = folder + "/duplicates.html"
        let output = try FileOutput(path: path, mode: 0o600)
        try output.write(html)
        try output.close()
        return path
    }

    /// Why the thresholds sit where they do: each field level's m, u and weight, the compared pairs'
    /// scores as a histogram with the thresholds marked, and what each blocking rule proposed.
    static func scoring(_ summary: DuplicatesSummary) -> String {
        guard let weights = summary.weights else { return "" }
        var html = "<h2>How pairs were scored</h2>"
        let learned = weights.learnedFrom
        html +=
            "<p>Weights \(learned.candidatePairs > 0 ? "learned from \(HTML.grouped(learned.candidatePairs)) compared pairs (EM, \(learned.iterations) iterations) and \(HTML.grouped(learned.randomPairs)) random pairs" : "built in (not learned)"); "
        html +=
            "share of matches among all pairs of customers λ = \(HTML.format(weights.lambda, digits: 7)) (prior \(HTML.format(weights.prior, digits: 1)) bits). "
        if let auto = summary.autoMergeWeight, let review = summary.reviewWeight {
            html +=
                "Auto-merge at \(HTML.format(auto, digits: 1)) bits (probability \(DuplicateSettings.probability(auto))), review at \(HTML.format(review, digits: 1)) bits (\(DuplicateSettings.probability(review))).</p>"
        }
        html +=
            "<table><tr><th>field</th><th>level</th><th class=\"num\">m</th><th class=\"num\">u (random pairs)</th>"
        html += "<th class=\"num\">weight (bits)</th><th class=\"num\">u at the same address</th>"
        html += "<th class=\"num\">weight at the same address</th></tr>"
        for field in MatchField.allCases {
            for (level, name) in field.levels.enumerated() {
                let pinned = weights.pinned["\(field.label).\(name)"] != nil
                html += "<tr><td>\(field.label)</td><td>\(name)\(pinned ? " (pinned)" : "")</td>"
                html += "<td class=\"num\">\(HTML.format(weights.m[field.rawValue][level], digits: 4))</td>"
                html += "<td class=\"num\">\(HTML.format(weights.u[field.rawValue][level], digits: 4))</td>"
                html += "<td class=\"num\">\(HTML.format(weights.weight(field, UInt8(level)), digits: 1))</td>"
                if let conditional = weights.uAtSameAddress, !MatchWeights.addressFields.contains(field) {
                    html += "<td class=\"num\">\(HTML.format(conditional[field.rawValue][level], digits: 4))</td>"
                    let weight = weights.weight(field, UInt8(level), atSameAddress: true)
                    html += "<td class=\"num\">\(HTML.format(weight, digits: 1))</td></tr>"
                } else {
                    html += "<td></td><td></td></tr>"
                }
            }
        }
        /// The address counted once: [m, u] and its weight.
        func wholeAddressRow(_ level: String, _ whole: [Double]?, _ weight: Double?, uDigits: Int) {
            guard let whole, let weight else { return }
            html += "<tr><td>address</td><td>\(level)</td>"
            html += "<td class=\"num\">\(HTML.format(whole[0], digits: 4))</td>"
            html += "<td class=\"num\">\(HTML.format(whole[1], digits: uDigits))</td>"
            html += "<td class=\"num\">\(HTML.format(weight, digits: 1))</td><td></td><td></td></tr>"
        }
        wholeAddressRow(
            "same (postal code, street and house number; counted once)", weights.sameAddress,
            weights.sameAddressWeight, uDigits: 7)
        wholeAddressRow(
            "same_street (same postal code and street, another house number; counted once)", weights.sameStreet,
            weights.sameStreetWeight, uDigits: 7)
        wholeAddressRow(
            "other (another postal code and street; counted once)", weights.otherAddress, weights.otherAddressWeight,
            uDigits: 4)
        if let namesakes = weights.uAtSameName {
            for field in MatchWeights.contactFields {
                for (level, name) in field.levels.enumerated() {
                    html += "<tr><td>\(field.label)</td><td>\(name), between customers of the same name</td>"
                    html += "<td class=\"num\">\(HTML.format(weights.m[field.rawValue][level], digits: 4))</td>"
                    html += "<td class=\"num\">\(HTML.format(namesakes[field.rawValue][level], digits: 4))</td>"
                    let weight = weights.weight(field, UInt8(level), atSameName: true)
                    html += "<td class=\"num\">\(HTML.format(weight, digits: 1))</td><td></td><td></td></tr>"
                }
            }
        }
        html += "</table>"
        if let histogram = summary.histogram, let top = histogram.max(), top > 0 {
            html +=
                "<h3>Compared pairs by score</h3><table><tr><th class=\"num\">bits</th><th class=\"num\">pairs</th><th></th></tr>"
            let used = histogram.indices.filter { histogram[$0] > 0 }
            for bin in (used.first ?? 0)...(used.last ?? 0) {
                let low = bin + DuplicateFinder.Result.histogramStart
                var mark = ""
                if let auto = summary.autoMergeWeight, Double(low) <= auto, auto < Double(low + 1) {
                    mark += " ← auto-merge"
                }
                if let review = summary.reviewWeight, Double(low) <= review, review < Double(low + 1) {
                    mark += " ← review"
                }
                let width = max(1, histogram[bin] * 300 / top)
                html += "<tr><td class=\"num\">\(low)</td><td class=\"num\">\(HTML.grouped(histogram[bin]))</td>"
                html +=
                    "<td><span style=\"display:inline-block;height:10px;width:\(histogram[bin] == 0 ? 0 : width)px;background:#5b7fb0\"></span>\(mark)</td></tr>"
            }
            html += "</table>"
        }
        if let blocking = summary.blocking {
            html +=
                "<h3>Blocking</h3><table><tr><th>rule</th><th class=\"num\">blocks</th><th class=\"num\">pairs proposed</th>"
            html += "<th class=\"num\">caught of matches others caught</th></tr>"
            for rule in blocking.rules {
                html += "<tr><td>\(HTML.escape(rule.rule))</td><td class=\"num\">\(HTML.grouped(rule.blocks))</td>"
                html += "<td class=\"num\">\(HTML.grouped(rule.pairs))</td>"
                html += "<td class=\"num\">\(rule.recall.map { HTML.format($0, digits: 3) } ?? "–")</td></tr>"
            }
            html += "</table><p>"
            if let recall = blocking.estimatedRecall {
                html +=
                    "Estimated recall of the blocking: \(HTML.format(recall, digits: 4)) of the true pairs are proposed by at least one rule (from \(HTML.grouped(blocking.matchedPairs)) merged pairs, assuming the rules miss independently)."
            } else {
                html += "Too few merged pairs to estimate the blocking's recall."
            }
            html += "</p>"
        }
        return html
    }

    static func rows(_ customer: CanonicalCustomer, mask: Bool = false) -> [(String, String)] {
        let address = customer.addresses.first
        func personal(_ values: [String]) -> String {
            values.map { mask ? PersonalData.mask($0) : $0 }.joined(separator: ", ")
        }
        return [
            ("key", customer.key), ("name", customer.names.first ?? ""),
            ("first name", customer.firstName ?? ""), ("last name", customer.lastName ?? ""),
            ("birth date", personal([customer.birthDate ?? ""])),
            ("identifiers", personal(customer.identifiers.map { "\($0.type) \($0.value)" })),
            ("VAT id", personal([customer.vatId ?? ""])),
            ("street", address?.street ?? ""), ("postal code", address?.postalCode ?? ""),
            ("city", address?.city ?? ""),
            ("country", address?.country ?? ""),
            ("phones", personal(customer.contacts.compactMap(\.phone))),
            ("emails", personal(customer.contacts.compactMap(\.email))),
            ("created", customer.createdOn ?? ""),
        ]
    }

    /// Whether two members differ in a row is decided on the values, masked or not.
    static func memberTable(_ members: [CanonicalCustomer], mask: Bool = false) -> String {
        let columns = members.map { rows($0, mask: mask) }
        let clear = members.map { rows($0) }
        guard let labels = columns.first?.map(\.0) else { return "" }
        var html = "<table><tr><th></th>" + members.map { "<th>\(HTML.escape($0.legacyKey))</th>" }.joined() + "</tr>"
        for (index, label) in labels.enumerated() {
            let values = columns.map { $0[index].1 }
            let differs = Set(clear.map { $0[index].1 }).count > 1
            html +=
                "<tr><th>\(label)</th>"
                + values.map {
                    "<td\(differs ? " class=\"diff\"" : "")>\(HTML.escape(HTML.visible($0)))</td>"
                }.joined() + "</tr>"
        }
        return html + "</table>"
    }

    static func pairTable(
        _ pairs: [(outcome: String, first: String, second: String, score: Double, evidence: [CustomerMatcher.Evidence])]
    ) -> String {
        guard !pairs.isEmpty else { return "<p class=\"muted\">none</p>" }
        var html = "<table><tr><th>pair</th><th class=\"num\">score</th><th>why (field, level, weight)</th></tr>"
        for pair in pairs {
            let why = pair.evidence.filter { $0.weight != 0 }.map {
                "\($0.field) \($0.level) \($0.weight > 0 ? "+" : "")\(Int($0.weight))"
            }.joined(separator: "; ")
            html += "<tr><td>\(HTML.escape(pair.first)) ~ \(HTML.escape(pair.second))</td>"
            html += "<td class=\"num\">\(HTML.format(pair.score, digits: 1))</td><td>\(HTML.escape(why))</td></tr>"
        }
        return html + "</table>"
    }
}
