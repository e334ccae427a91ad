import Foundation
import Yams

/// How customers are numbered in the target.
public enum Numbering: Sendable, Equatable, CustomStringConvertible {
    /// Keep the legacy number, as the mapping's `key` made it (after ALPHA conversion).
    case legacy
    /// Map the legacy number into an external range: `prefix` + (number + `offset`), zero-padded to `width`.
    case external(prefix: String, offset: UInt64, width: Int)
    /// Let the target number by account group, from the number ranges in its code lists.
    case `internal`

    public var description: String {
        switch self {
        case .legacy: return "legacy"
        case .external(let prefix, let offset, let width):
            return "external(prefix: \(prefix), offset: \(offset), width: \(width))"
        case .internal: return "internal"
        }
    }
}

/// The mapping's `load` section and ownership: what the dry run and the cutover need from the mapping.
public struct LoadSettings: Sendable, Equatable {
    public var numbering: Numbering = .legacy
    /// Above this many deactivations (count, or share of the customers custmig loaded) the plan fails its gate.
    public var maxDeactivations = RejectThreshold(count: nil, share: 0.05)
    public var batchSize = 1_000
    /// Canonical fields (ownership names) the target owns after the insert that sets them.
    public var targetOwned: Set<String> = []

    public init() {}

    static let keys = ["numbering", "max_deactivations", "batch_size"]

    /// Reads the `load` section; problems are reported through `reader` with their line.
    static func read(_ node: Node, reader: YAMLReader) -> LoadSettings {
        var settings = LoadSettings()
        for pair in reader.pairs(node, allowed: keys, context: "load") {
            switch pair.key {
            case "numbering":
                if let text = pair.value.scalar?.string {
                    switch text {
                    case "legacy": settings.numbering = .legacy
                    case "internal": settings.numbering = .internal
                    default:
                        reader.problem(
                            pair.value, "MAP-NUMBERING", "numbering \"\(text)\" is not known.",
                            fix: "write legacy, internal, or {prefix: \"9\", offset: 0, width: 10}.")
                    }
                } else {
                    var prefix = ""
                    var offset: UInt64 = 0
                    var width = 10
                    for item in reader.pairs(pair.value, allowed: ["prefix", "offset", "width"], context: "numbering") {
                        switch item.key {
                        case "prefix": prefix = reader.string(item.value, context: "numbering.prefix") ?? ""
                        case "offset":
                            offset = UInt64(reader.int(item.value, context: "numbering.offset", in: 0...Int.max) ?? 0)
                        default: width = reader.int(item.value, context: "numbering.width", in: 1...40) ?? 10
                        }
                    }
                    settings.numbering = .external(prefix: prefix, offset: offset, width: width)
                }
            case "max_deactivations":
                var threshold = RejectThreshold(count: nil, share: nil)
                for item in reader.pairs(pair.value, allowed: ["count", "share"], context: "max_deactivations") {
                    if item.key == "count" {
                        threshold.count = reader.int(item.value, context: "max_deactivations.count", in: 0...Int.max)
                    } else if let text = reader.string(item.value, context: "share"), let share = Double(text),
                        (0...1).contains(share)
                    {
                        threshold.share = share
                    } else {
                        reader.problem(
                            item.value, "MAP-TYPE", "max_deactivations.share must be a share between 0 and 1.")
                    }
                }
                settings.maxDeactivations = threshold
            default:
                if let size = reader.int(pair.value, context: "batch_size"), (1...1_000_000).contains(size) {
                    settings.batchSize = size
                } else {
                    reader.problem(pair.value, "MAP-TYPE", "batch_size must be an integer from 1 to 1,000,000.")
                }
            }
        }
        return settings
    }
}
