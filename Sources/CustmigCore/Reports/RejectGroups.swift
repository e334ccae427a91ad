import Foundation
import GRDB

/// A plan's rejects grouped by reason for the people who sign it: every group with its count, in plain
/// words, how to settle it, and a few examples. Reasons quote the values they are about (an e-mail,
/// an IBAN, a customer number); the group is the reason with those left out, so that 35,000 rejects of
/// ten kinds read as ten lines, every kind visible.
struct RejectGroup {
    var title: String
    var fix: String
    var count = 0
    var examples: [(key: String, name: String, reason: String)] = []

    static let examplesPerGroup = 3
    static let describedLimit = 10_000

    /// All the plan's rejects, read once (reasons only), largest group first.
    static func read(plan: Int64, db: Database, mask: Bool) throws -> [RejectGroup] {
        var groups: [String: RejectGroup] = [:]
        // Many rejects share their reason word for word (a rule's reject names no value): each reason is
        // described once (at most `describedLimit` kept; describing was a tenth of a first load's reports).
        var described: [String: (key: String, title: String, fix: String)] = [:]
        try PlanStore.forEachReject(plan: plan, db: db) { canonicalKey, name, storedReason in
            let reason = storedReason ?? ""
            let (key, title, fix) =
                described[reason]
                ?? {
                    let description = describe(reason)
                    if described.count < describedLimit { described[reason] = description }
                    return description
                }()
            var group = groups[key] ?? RejectGroup(title: title, fix: fix)
            group.count += 1
            if group.examples.count < examplesPerGroup {
                group.examples.append(
                    (canonicalKey, name ?? "", mask ? PersonalData.maskingMentions(in: reason) : reason))
            }
            groups[key] = group
        }
        return groups.values.sorted { ($1.count, $0.title) < ($0.count, $1.title) }
    }

    /// The group a reason belongs to, its title in plain words and its fix (the part after " — ").
    static func describe(_ reason: String) -> (key: String, title: String, fix: String) {
        let parts = reason.components(separatedBy: " — ")
        let fix = parts.count > 1 ? parts.dropFirst().joined(separator: " — ") : ""
        let head = parts[0]
        for (prefix, plain) in [
            ("waiting for review of ", "Waiting for a data steward's review"), ("rejected by ", "Breaks a rule"),
        ] where head.hasPrefix(prefix) {
            // `waiting for review of transform:email (contacts[0].email = "…"): why` → check and field.
            let rest = head.dropFirst(prefix.count)
            let check = rest.prefix { $0 != " " && $0 != "(" }
            var field = ""
            if let open = rest.firstIndex(of: "(") {
                field = String(rest[rest.index(after: open)...].prefix { $0 != " " && $0 != ")" })
            }
            let why = rest.range(of: "): ").map { generalized(String(rest[$0.upperBound...])) } ?? ""
            let title =
                "\(plain): \(check.replacingOccurrences(of: "transform:", with: "check of "))"
                + (field.isEmpty ? "" : " on \(field)") + (why.isEmpty ? "" : " — \(why)")
            let fallback = prefix == "waiting for review of " ? reviewFix : defaultFix
            return (prefix + check + "|" + field + "|" + why, title, generalized(fix.isEmpty ? fallback : fix))
        }
        let general = generalized(head)
        return (
            general, general.prefix(1).uppercased() + general.dropFirst(), generalized(fix.isEmpty ? defaultFix : fix)
        )
    }

    /// What settles a customer held for a data steward's review (plan rows leave it out: it is the same for all).
    static let reviewFix = "settle it in review-decisions.csv and map again"

    /// What settles a reject whose reason names no fix of its own.
    static let defaultFix = "correct the record in the legacy system (or the extract), then map and dry-run again"

    /// The reason without what is particular to one customer: quoted values become `…`, numbers of five
    /// digits or more `#`, and words mixing letters and digits (IBANs, VAT ids, keys) `…`.
    static func generalized(_ text: String) -> String {
        // By Unicode scalars, ASCII first: grouping a million rejects by Character took seconds.
        var unquoted = String.UnicodeScalarView()
        var inQuote = false
        for scalar in text.unicodeScalars {
            if scalar == "\"" {
                if !inQuote { unquoted.append(contentsOf: "\"…\"".unicodeScalars) }
                inQuote.toggle()
                continue
            }
            if !inQuote { unquoted.append(scalar) }
        }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for (index, word) in String(unquoted).split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { result += " " }
            result += generalizedWord(word)
        }
        return result
    }

    private static func generalizedWord(_ word: Substring) -> String {
        let possessive = word.hasSuffix("'s") ? "'s" : ""
        let stem = word.dropLast(possessive.count)
        var digits = 0
        var letters = false
        var length = 0
        for scalar in stem.unicodeScalars {
            length += 1
            if isNumber(scalar) {
                digits += 1
            } else if isLetter(scalar) {
                letters = true
            }
        }
        if letters {
            return digits >= 4 && length >= 8
                ? "…" + stem.reversed().prefix { !$0.isLetter && !$0.isNumber }.reversed() + possessive
                : String(word)
        }
        // A number that names one thing (a customer number, an id) is particular; a figure with
        // separators in the sentence itself (`above 100,000`) is not.
        guard digits >= 5 else { return String(word) }
        let core = stem.trimmingCharacters(in: .punctuationCharacters)
        guard core.allSatisfy(\.isNumber) else { return String(word) }
        return stem.replacingOccurrences(of: core, with: "#") + possessive
    }

    private static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? ("0"..."9").contains(scalar) : Character(scalar).isNumber
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII
            ? ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) : Character(scalar).isLetter
    }
}
