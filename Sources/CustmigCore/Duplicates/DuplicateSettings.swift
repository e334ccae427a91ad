import Yams

/// The mapping's `duplicates` section: the two score thresholds and the survivorship rule per field.
///
/// ```yaml
/// duplicates:
///   auto_merge: 8        # at or above: merged without a steward
///   review: 5            # at or above (below auto_merge): a steward decides
///   survivorship:        # per field; every rule only picks among non-blank values
///     credit_limit: most_recent
///     names: longest
///     payment_terms: most_frequent
/// ```
public struct DuplicateSettings: Sendable, Equatable {
    public var autoMerge = 8.0
    public var review = 5.0
    public var survivorship = SurvivorshipRules()

    public init() {}

    public var matcher: CustomerMatcher.Settings {
        var settings = CustomerMatcher.Settings()
        settings.autoMerge = autoMerge
        settings.review = review
        return settings
    }

    /// What changes a duplicates run's result: part of its inputs key.
    var fingerprint: String { "\(autoMerge)|\(review)|\(survivorship.description)" }

    /// Reads the section; problems are reported through `reader` with their line.
    static func read(_ node: Node, reader: YAMLReader) -> DuplicateSettings {
        var settings = DuplicateSettings()
        var thresholdNode: Node?
        for pair in reader.pairs(node, allowed: ["auto_merge", "review", "survivorship"], context: "duplicates") {
            switch pair.key {
            case "auto_merge", "review":
                guard let text = reader.string(pair.value, context: "duplicates.\(pair.key)"), let value = Double(text),
                    value.isFinite
                else {
                    reader.problem(pair.value, "MAP-TYPE", "duplicates.\(pair.key) must be a number (a match score).")
                    continue
                }
                if pair.key == "auto_merge" { settings.autoMerge = value } else { settings.review = value }
                thresholdNode = thresholdNode ?? pair.value
            default:
                for item in reader.pairs(
                    pair.value, allowed: SurvivorshipRules.fields, context: "duplicates.survivorship")
                {
                    guard let text = reader.string(item.value, context: "duplicates.survivorship.\(item.key)") else {
                        continue
                    }
                    guard let rule = SurvivorshipRules.Rule(rawValue: text) else {
                        reader.problem(
                            item.value, "MAP-SURVIVORSHIP",
                            "\"\(text)\" is not a survivorship rule (field \(item.key)).",
                            fix: Suggestion.fix(
                                for: text, in: SurvivorshipRules.Rule.allCases.map(\.rawValue), what: "rules"))
                        continue
                    }
                    settings.survivorship.rules[item.key] = rule
                }
            }
        }
        if settings.review > settings.autoMerge {
            reader.problem(
                thresholdNode ?? node, "MAP-THRESHOLDS",
                "duplicates.review (\(settings.review)) is above duplicates.auto_merge (\(settings.autoMerge)).",
                fix: "review must be at most auto_merge: pairs between the two go to a steward.")
        }
        return settings
    }
}

/// Which member's value a golden record takes, field by field. Members are first ordered by
/// completeness (most filled fields, then most recently created, then smallest key), so every rule
/// is deterministic; no rule ever picks a blank when a member has a value ("never blank").
public struct SurvivorshipRules: Sendable, Equatable, CustomStringConvertible {
    public enum Rule: String, Sendable, CaseIterable {
        /// The most complete member's value (the default).
        case mostComplete = "most_complete"
        /// The value of the most recently created member that has one (`created_on`).
        case mostRecent = "most_recent"
        /// The longest value (for lists: the member with the most entries).
        case longest
        /// The value most members share (ties: the most complete member's).
        case mostFrequent = "most_frequent"
    }

    /// Canonical fields a rule can be set for (lists other than addresses are always united).
    public static let fields = [
        "names", "search_term", "account_group", "vat_id", "language", "currency", "industry", "parent",
        "payment_terms", "credit_limit", "created_on", "addresses",
    ]

    public var rules: [String: Rule] = [:]

    public init(rules: [String: Rule] = [:]) { self.rules = rules }

    public func rule(_ field: String) -> Rule { rules[field] ?? .mostComplete }

    public var description: String {
        rules.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }.joined(separator: ",")
    }
}
