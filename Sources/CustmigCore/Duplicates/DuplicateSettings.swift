import Foundation
import Yams

/// The mapping's `duplicates` section: the two thresholds, learned or pinned weights, and the
/// survivorship rule per field.
///
/// ```yaml
/// duplicates:
///   auto_merge: 0.95     # match probability at or above which a pair merges without a steward
///   review: 0.5          # at or above (below auto_merge): a steward decides
///   learn_weights: true  # estimate m/u from the data (default); false: the built-in weights
///   weights:             # pin a level's weight in bits (log2 m/u), e.g. when the data cannot tell
///     identifier.exact: 12
///   survivorship:        # per field; every rule only picks among non-blank values
///     credit_limit: most_recent
///     names: longest
///     payment_terms: most_frequent
/// ```
///
/// A threshold between 0 and 1 is a match probability; 1 or more is a match weight in bits (log2 of the
/// odds: 8 is a probability of 0.996), as mappings written before the weights were learned give them.
public struct DuplicateSettings: Sendable, Equatable {
    /// Match weights (bits).
    public var autoMerge = MatchWeights.matchWeight(probability: 0.95)
    public var review = 0.0
    public var learnWeights = true
    public var pinnedWeights: [String: Double] = [:]
    public var survivorship = SurvivorshipRules()

    public init() {}

    public var matcher: CustomerMatcher.Settings {
        var settings = CustomerMatcher.Settings()
        settings.autoMerge = autoMerge
        settings.review = review
        return settings
    }

    /// The matcher's starting weights: the defaults with the pins.
    public var weights: MatchWeights {
        var weights = MatchWeights.defaults
        weights.pinned = pinnedWeights
        return weights
    }

    /// What changes a duplicates run's result: part of its inputs key.
    var fingerprint: String {
        let pins = pinnedWeights.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return "\(autoMerge)|\(review)|\(learnWeights)|\(pins)|\(survivorship.description)"
    }

    /// Every `field.level` a weight can be pinned for: every field level, `address.same`,
    /// `address.same_street` and `address.other` (the whole address agreeing, the same street at another
    /// house number, or differing, counted once).
    static let pinnableLevels: [String] =
        MatchField.allCases.flatMap { field in field.levels.map { "\(field.label).\($0)" } } + [
            "address.same", "address.same_street", "address.other",
        ]

    /// Reads the section; problems are reported through `reader` with their line.
    static func read(_ node: Node, reader: YAMLReader) -> DuplicateSettings {
        var settings = DuplicateSettings()
        var thresholdNode: Node?
        for pair in reader.pairs(
            node, allowed: ["auto_merge", "review", "learn_weights", "weights", "survivorship"], context: "duplicates")
        {
            switch pair.key {
            case "auto_merge", "review":
                guard let text = reader.string(pair.value, context: "duplicates.\(pair.key)"), let value = Double(text),
                    value.isFinite, value > 0
                else {
                    reader.problem(
                        pair.value, "MAP-TYPE",
                        "duplicates.\(pair.key) must be a match probability between 0 and 1 (or a match weight in bits, 1 or more).",
                        fix: "write e.g. \(pair.key == "auto_merge" ? "0.95" : "0.5").")
                    continue
                }
                let weight = value < 1 ? MatchWeights.matchWeight(probability: value) : value
                if pair.key == "auto_merge" { settings.autoMerge = weight } else { settings.review = weight }
                thresholdNode = thresholdNode ?? pair.value
            case "learn_weights":
                guard let text = reader.string(pair.value, context: "duplicates.learn_weights"),
                    let value = ["true": true, "false": false][text.lowercased()]
                else {
                    reader.problem(pair.value, "MAP-TYPE", "duplicates.learn_weights must be true or false.")
                    continue
                }
                settings.learnWeights = value
            case "weights":
                for item in reader.pairs(pair.value, allowed: nil, context: "duplicates.weights") {
                    guard pinnableLevels.contains(item.key) else {
                        reader.problem(
                            item.value, "MAP-WEIGHT", "\"\(item.key)\" is not a field and level the matcher weighs.",
                            fix: Suggestion.fix(for: item.key, in: pinnableLevels, what: "field levels"))
                        continue
                    }
                    guard let text = reader.string(item.value, context: "duplicates.weights.\(item.key)"),
                        let value = Double(text), value.isFinite
                    else {
                        reader.problem(
                            item.value, "MAP-TYPE", "duplicates.weights.\(item.key) must be a number (bits).")
                        continue
                    }
                    settings.pinnedWeights[item.key] = value
                }
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
                "duplicates.review (probability \(probability(settings.review))) is above duplicates.auto_merge (\(probability(settings.autoMerge))).",
                fix: "review must be at most auto_merge: pairs between the two go to a steward.")
        }
        return settings
    }

    static func probability(_ weight: Double) -> String {
        let value = MatchWeights.probability(weight)
        return value >= 0.999 ? String(format: "%.4f", value) : String(format: "%.3f", value)
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
