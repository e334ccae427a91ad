import Yams

/// Reads YAML nodes for the mapping loader, collecting problems with their line and column.
final class YAMLReader {
    let file: String
    private(set) var problems: [CustmigError] = []

    init(file: String) { self.file = file }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line, column: node.mark?.column)
    }

    func problem(_ node: Node?, _ code: String, _ message: String, fix: String? = nil) {
        let location = node.map(location) ?? SourceLocation(file: file)
        problems.append(CustmigError(.usage, code: code, message, at: location, fix: fix))
    }

    /// The pairs of a YAML mapping, reporting keys not in `allowed` (nil allows any key).
    func pairs(_ node: Node, allowed: [String]?, context: String) -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping) = node else {
            problem(node, "MAP-SHAPE", "\(context) must be a mapping (key: value lines).")
            return []
        }
        var result: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                problem(keyNode, "MAP-SHAPE", "a key in \(context) is not text.")
                continue
            }
            if let allowed, !allowed.contains(key) {
                problem(
                    keyNode, "MAP-UNKNOWN-KEY", "unknown key \"\(key)\" in \(context).",
                    fix: Suggestion.fix(for: key, in: allowed, what: "keys allowed here"))
                continue
            }
            result.append((key, keyNode, value))
        }
        return result
    }

    func string(_ node: Node, context: String) -> String? {
        guard case .scalar(let scalar) = node else {
            problem(node, "MAP-TYPE", "\(context) must be a single value, not a list or mapping.")
            return nil
        }
        return scalar.string
    }

    func int(_ node: Node, context: String) -> Int? {
        guard let text = string(node, context: context) else { return nil }
        guard let value = Int(text) else {
            problem(node, "MAP-TYPE", "\(context) must be a whole number, not \"\(text)\".")
            return nil
        }
        return value
    }

    /// A whole number within `range`; outside it, a problem naming the range (never a silent default).
    func int(_ node: Node, context: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = int(node, context: context) else { return nil }
        guard range.contains(value) else {
            let upper = range.upperBound == Int.max ? "" : " to \(range.upperBound)"
            problem(
                node, "MAP-TYPE",
                "\(context) must be a whole number from \(range.lowerBound)\(upper), not \(value).")
            return nil
        }
        return value
    }

    func strings(_ node: Node, context: String) -> [String]? {
        if case .scalar = node { return string(node, context: context).map { [$0] } }
        guard case .sequence(let sequence) = node else {
            problem(node, "MAP-TYPE", "\(context) must be a list.")
            return nil
        }
        return sequence.compactMap { string($0, context: context) }
    }
}
