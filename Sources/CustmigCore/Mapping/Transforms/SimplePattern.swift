/// A whole-value pattern of the simple kind shapes are written in (`[0-9]{9}B[0-9]{2}`,
/// `([0-9]{9}|GD[0-9]{3})`, `U[0-9]{8}`), matched natively on UTF-8 bytes. Foundation's regular
/// expressions bridge every call through ICU and dominated VAT checks and `matches` rules when
/// mapping; anything outside this subset (`.`, negated classes, escapes other than punctuation, `\d`
/// (which matches non-ASCII digits there), anchors, lazy quantifiers, non-ASCII) is not compiled here and
/// stays with `NSRegularExpression`. One deliberate difference: ICU's `$` also matches before a final
/// line break, so `12345\n` passed `[0-9]{5}` there; here the whole value must match.
///
/// Matching is bounded by the value's length: the backtracking matcher (fastest on the shapes above)
/// runs under a step budget, and a pattern that exhausts it (nested repetition such as `(a+)+` on
/// `aaaa…!`) is decided by a Thompson automaton instead, in time linear in the value.
struct SimplePattern: Sendable {
    private indirect enum Node: Sendable {
        /// One byte of a set, repeated `min...max` times.
        case bytes(ByteSet, min: Int, max: Int)
        /// A parenthesized alternation, repeated `min...max` times.
        case group([[Node]], min: Int, max: Int)
    }

    private struct ByteSet: Sendable {
        var low: UInt64 = 0
        var high: UInt64 = 0
        mutating func insert(_ byte: UInt8) {
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }
        func contains(_ byte: UInt8) -> Bool {
            byte < 64 ? low & (1 << UInt64(byte)) != 0 : byte < 128 && high & (1 << UInt64(byte - 64)) != 0
        }
    }

    private let alternatives: [[Node]]
    private let automaton: Automaton
    /// The pattern as runs of byte sets, each of a fixed length but the last (`U[0-9]{8}`,
    /// `[0-9]{2,10}`, most shapes): there is then one way to split a value, checked in one pass without
    /// backtracking or copying it (nearly half of normalizing a VAT id went to the general matcher).
    /// Nil for any other pattern.
    private let runs: [Run]?

    /// One run of bytes of a set, as many as `count` allows.
    private typealias Run = (set: ByteSet, count: ClosedRange<Int>)

    /// Nil when the pattern is not in the subset (the caller then uses a full regular-expression engine),
    /// or when its automaton would be too large (`(ab){0,99999}`).
    init?(_ pattern: String) {
        var parser = Parser(bytes: Array(pattern.utf8))
        guard let alternatives = parser.alternation(), parser.index == parser.bytes.count else { return nil }
        guard let automaton = Automaton(alternatives) else { return nil }
        self.alternatives = alternatives
        self.automaton = automaton
        runs = Self.runs(of: alternatives)
    }

    private static func runs(of alternatives: [[Node]]) -> [Run]? {
        guard alternatives.count == 1 else { return nil }
        var runs: [Run] = []
        for (index, node) in alternatives[0].enumerated() {
            guard case .bytes(let set, let minimum, let maximum) = node, minimum <= maximum,
                minimum == maximum || index == alternatives[0].count - 1
            else { return nil }
            runs.append((set, minimum...maximum))
        }
        return runs
    }

    /// True when the whole text matches.
    func matches(_ text: String) -> Bool {
        if let runs {
            return text.utf8.withContiguousStorageIfAvailable { Self.matches(runs, $0) }
                ?? Array(text.utf8).withUnsafeBufferPointer { Self.matches(runs, $0) }
        }
        let bytes = Array(text.utf8)
        // Enough for any shape without nested repetition; beyond it backtracking may be exponential.
        var budget = 64 * (bytes.count + 4)
        let matched = alternatives.contains { sequence in
            Self.match(sequence[...], bytes, 0, depth: 0, &budget) { end, _ in end == bytes.count }
        }
        return budget < 0 ? automaton.matches(bytes) : matched
    }

    private static let maximumDepth = 256

    /// Each run's bytes in its set: the fixed ones in turn, the last taking the rest within its bounds.
    private static func matches(
        _ runs: [Run], _ bytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        var position = 0
        for (index, run) in runs.enumerated() {
            let length = index == runs.count - 1 ? bytes.count - position : run.count.lowerBound
            guard run.count.contains(length), bytes.count - position >= length else { return false }
            for offset in position..<position + length where !run.set.contains(bytes[offset]) { return false }
            position += length
        }
        return position == bytes.count
    }

    /// The automaton alone (the slow path), for tests that hold both paths to the same answers.
    func matchesLinearly(_ text: String) -> Bool { automaton.matches(Array(text.utf8)) }

    /// Backtracking; every step spends one unit of `budget`, and once it is below zero every call fails.
    /// Each repetition of a group nests a call, so recursion deeper than `maximumDepth` (a long value of
    /// `(ab)+`) spends the budget too rather than the thread's stack.
    private static func match(
        _ sequence: ArraySlice<Node>, _ bytes: [UInt8], _ position: Int, depth: Int, _ budget: inout Int,
        _ then: (Int, inout Int) -> Bool
    ) -> Bool {
        budget -= 1
        if depth > maximumDepth { budget = -1 }
        guard budget >= 0 else { return false }
        guard let node = sequence.first else { return then(position, &budget) }
        let rest = sequence.dropFirst()
        switch node {
        case .bytes(let set, let minimum, let maximum):
            var count = 0
            while count < maximum, position + count < bytes.count, set.contains(bytes[position + count]) { count += 1 }
            guard count >= minimum else { return false }
            for taken in stride(from: count, through: minimum, by: -1)
            where match(rest, bytes, position + taken, depth: depth + 1, &budget, then) {
                return true
            }
            return false
        case .group(let alternatives, let minimum, let maximum):
            func repeated(_ done: Int, _ at: Int, _ budget: inout Int) -> Bool {
                if done < maximum {
                    for alternative in alternatives
                    where match(
                        alternative[...], bytes, at, depth: depth + done + 1, &budget,
                        { $0 != at && repeated(done + 1, $0, &$1) })
                    {
                        return true
                    }
                }
                return done >= minimum && match(rest, bytes, at, depth: depth + done + 1, &budget, then)
            }
            return repeated(0, position, &budget)
        }
    }

    /// The pattern as a Thompson automaton, simulated one byte at a time over the set of live states
    /// (Pike's method): time proportional to the value's length times the automaton's size.
    private struct Automaton: Sendable {
        private enum State: Sendable {
            case byte(ByteSet, next: Int)
            case split(Int, Int)
            case accept
        }

        /// Counted repetition is unrolled; a pattern past this many states is left to the full engine.
        private static let maximumStates = 4_096
        private var states: [State] = [.accept]
        private var start = 0

        init?(_ alternatives: [[Node]]) {
            guard let start = compile(alternatives, then: 0) else { return nil }
            self.start = start
        }

        private mutating func add(_ state: State) -> Int? {
            guard states.count < Self.maximumStates else { return nil }
            states.append(state)
            return states.count - 1
        }

        private mutating func compile(_ alternatives: [[Node]], then next: Int) -> Int? {
            var entries: [Int] = []
            for sequence in alternatives {
                var entry = next
                for node in sequence.reversed() {
                    guard let compiled = compile(node, then: entry) else { return nil }
                    entry = compiled
                }
                entries.append(entry)
            }
            guard var entry = entries.popLast() else { return next }
            while let previous = entries.popLast() {
                guard let split = add(.split(previous, entry)) else { return nil }
                entry = split
            }
            return entry
        }

        /// One node repeated `min...max` times, then `next`.
        private mutating func compile(_ node: Node, then next: Int) -> Int? {
            let (minimum, maximum): (Int, Int)
            switch node {
            case .bytes(_, let low, let high), .group(_, let low, let high): (minimum, maximum) = (low, high)
            }
            func body(then next: Int) -> Int? {
                switch node {
                case .bytes(let set, _, _): return add(.byte(set, next: next))
                case .group(let alternatives, _, _): return compile(alternatives, then: next)
                }
            }
            var entry = next
            if maximum == Int.max {
                // A loop: the split is added first so the body can point back to it.
                guard let loop = add(.split(0, 0)), let inner = body(then: loop) else { return nil }
                states[loop] = .split(inner, next)
                entry = loop
            } else {
                for _ in 0..<(maximum - minimum) {
                    guard let inner = body(then: entry), let optional = add(.split(inner, next)) else { return nil }
                    entry = optional
                }
            }
            for _ in 0..<minimum {
                guard let inner = body(then: entry) else { return nil }
                entry = inner
            }
            return entry
        }

        func matches(_ bytes: [UInt8]) -> Bool {
            var current: [Int] = []
            var following: [Int] = []
            var seen = [Int](repeating: -1, count: states.count)
            var stack: [Int] = []
            func close(_ state: Int, into list: inout [Int], step: Int) {
                stack.append(state)
                while let index = stack.popLast() {
                    guard seen[index] != step else { continue }
                    seen[index] = step
                    if case .split(let first, let second) = states[index] {
                        stack.append(second)
                        stack.append(first)
                    } else {
                        list.append(index)
                    }
                }
            }
            close(start, into: &current, step: 0)
            for (offset, byte) in bytes.enumerated() {
                following.removeAll(keepingCapacity: true)
                for index in current {
                    if case .byte(let set, let next) = states[index], set.contains(byte) {
                        close(next, into: &following, step: offset + 1)
                    }
                }
                swap(&current, &following)
                if current.isEmpty { return false }
            }
            return current.contains { if case .accept = states[$0] { true } else { false } }
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func alternation() -> [[Node]]? {
            var alternatives: [[Node]] = []
            while true {
                guard let sequence = sequence() else { return nil }
                alternatives.append(sequence)
                guard index < bytes.count, bytes[index] == UInt8(ascii: "|") else { return alternatives }
                index += 1
            }
        }

        private mutating func sequence() -> [Node]? {
            var nodes: [Node] = []
            while index < bytes.count, bytes[index] != UInt8(ascii: "|"), bytes[index] != UInt8(ascii: ")") {
                let byte = bytes[index]
                var set = ByteSet()
                var group: [[Node]]?
                switch byte {
                case UInt8(ascii: "("):
                    index += 1
                    guard let inner = alternation(), index < bytes.count, bytes[index] == UInt8(ascii: ")") else {
                        return nil
                    }
                    index += 1
                    group = inner
                case UInt8(ascii: "["):
                    index += 1
                    guard let parsed = byteClass() else { return nil }
                    set = parsed
                case UInt8(ascii: "\\"):
                    guard index + 1 < bytes.count, let escaped = escape(bytes[index + 1]) else { return nil }
                    set = escaped
                    index += 2
                default:
                    guard byte < 0x80, !Self.meta.contains(byte) else { return nil }
                    set.insert(byte)
                    index += 1
                }
                guard let (minimum, maximum) = quantifier() else { return nil }
                nodes.append(
                    group.map { .group($0, min: minimum, max: maximum) } ?? .bytes(set, min: minimum, max: maximum))
            }
            return nodes
        }

        private static let meta = Set(".^$*+?{}[]()|\\".utf8)

        private func escape(_ byte: UInt8) -> ByteSet? {
            // `\d` is left to the full engine: there it also matches non-ASCII digits.
            var set = ByteSet()
            guard Self.meta.contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/") else { return nil }
            set.insert(byte)
            return set
        }

        private mutating func byteClass() -> ByteSet? {
            var set = ByteSet()
            // Negation, a leading `]` and ICU's set operators (`&&`, nested sets) are not in the subset.
            guard index < bytes.count, bytes[index] != UInt8(ascii: "^"), bytes[index] != UInt8(ascii: "]") else {
                return nil
            }
            while index < bytes.count, bytes[index] != UInt8(ascii: "]") {
                var low = bytes[index]
                if low == UInt8(ascii: "&"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "&") {
                    return nil
                }
                if low == UInt8(ascii: "\\") {
                    guard index + 1 < bytes.count, let escaped = escape(bytes[index + 1]) else { return nil }
                    set.low |= escaped.low
                    set.high |= escaped.high
                    index += 2
                    continue
                }
                guard low < 0x80, low != UInt8(ascii: "[") else { return nil }
                index += 1
                if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "-"), bytes[index + 1] != UInt8(ascii: "]") {
                    let high = bytes[index + 1]
                    guard high < 0x80, high >= low, high != UInt8(ascii: "\\") else { return nil }
                    index += 2
                    while low < high {
                        set.insert(low)
                        low += 1
                    }
                    set.insert(high)
                } else {
                    set.insert(low)
                }
            }
            guard index < bytes.count else { return nil }
            index += 1
            return set
        }

        private mutating func quantifier() -> (Int, Int)? {
            guard index < bytes.count else { return (1, 1) }
            let result: (Int, Int)
            switch bytes[index] {
            case UInt8(ascii: "?"): result = (0, 1)
            case UInt8(ascii: "*"): result = (0, Int.max)
            case UInt8(ascii: "+"): result = (1, Int.max)
            case UInt8(ascii: "{"):
                index += 1
                guard let minimum = number() else { return nil }
                var maximum = minimum
                if index < bytes.count, bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    maximum = number() ?? Int.max
                }
                guard index < bytes.count, bytes[index] == UInt8(ascii: "}"), maximum >= minimum else { return nil }
                result = (minimum, maximum)
            default: return (1, 1)
            }
            index += 1
            // Lazy and possessive quantifiers are not part of the subset.
            if index < bytes.count, bytes[index] == UInt8(ascii: "?") || bytes[index] == UInt8(ascii: "+") {
                return nil
            }
            return result
        }

        private mutating func number() -> Int? {
            var value = 0
            var digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"), digits < 6
            {
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
    }
}
