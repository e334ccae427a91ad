import Yams

/// A mapping's YAML, composed with a bound on what its aliases expand to. An alias is cheap to write and
/// each one repeats the whole anchored part: ten levels of ten aliases (a 5 KB file) stand for 10^10
/// conditions, and reading them ran for minutes in growing memory. Real mappings are a few thousand
/// nodes; anything past ``maximumNodes`` once expanded is refused, naming the line of the part repeated.
enum YAMLDocument {
    static let maximumNodes = 200_000

    /// The document's root (nil when it is empty); a YAML error or an expansion past the bound throws
    /// `MAP-YAML` / `MAP-YAML-ALIASES` with the file's name.
    static func compose(_ text: String, file: String) throws -> Node? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw CustmigError(
                .usage, code: "MAP-YAML", "\(file) is not valid YAML: \(error)", at: SourceLocation(file: file))
        }
        guard let root else { return nil }
        var walk = Walk()
        if !walk.visit(root) {
            let (line, column) = walk.mostRepeated
            throw CustmigError(
                .usage, code: "MAP-YAML-ALIASES",
                "\(file) expands to more than \(maximumNodes) YAML nodes once its aliases (*name) are replaced by "
                    + "what they stand for; the part at line \(line) is repeated \(walk.visits[Walk.key(line, column)] ?? 0) "
                    + "times before custmig stopped counting. Nothing was loaded.",
                at: SourceLocation(file: file, line: line, column: column),
                fix: "Write the repeated part out once where it is needed, or nest aliases less deeply.")
        }
        return root
    }

    /// Counts nodes depth-first, alias expansions included, and stops at the bound.
    private struct Walk {
        var remaining = YAMLDocument.maximumNodes
        /// Visits per container node, by its place in the file: a node reached more than once came through an alias.
        var visits: [Int: Int] = [:]

        static func key(_ line: Int, _ column: Int) -> Int { line &* 1_000_000 &+ column }

        var mostRepeated: (line: Int, column: Int) {
            let key = visits.max { $0.value < $1.value }?.key ?? 0
            return (key / 1_000_000, key % 1_000_000)
        }

        mutating func visit(_ node: Node) -> Bool {
            remaining -= 1
            guard remaining >= 0 else { return false }
            switch node {
            case .scalar, .alias: return true
            case .mapping(let mapping):
                count(mapping.mark)
                for (key, value) in mapping where !visit(key) || !visit(value) { return false }
                return true
            case .sequence(let sequence):
                count(sequence.mark)
                for item in sequence where !visit(item) { return false }
                return true
            }
        }

        private mutating func count(_ mark: Mark?) {
            guard let mark else { return }
            visits[Self.key(mark.line, mark.column), default: 0] += 1
        }
    }
}
