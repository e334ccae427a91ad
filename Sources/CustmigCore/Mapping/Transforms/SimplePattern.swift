/// A whole-value pattern of the simple kind shapes are written in (`[0-9]{9}B[0-9]{2}`,
/// `([0-9]{9}|GD[0-9]{3})`, `U[0-9]{8}`), matched natively on UTF-8 bytes. Foundation's regular
/// expressions bridge every call through ICU and dominated VAT checks and `matches` rules when
/// mapping; anything outside this subset (`.`, negated classes, escapes other than punctuation, `\d`
/// (which matches non-ASCII digits there), anchors, lazy quantifiers, non-ASCII) is not compiled here and
/// stays with `NSRegularExpression`. One deliberate difference: ICU's `$` also matches before a final
/// line break, so `12345\n` passed `[0-9]{5}` there; here the whole value must match.
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

    /// Nil when the pattern is not in the subset (the caller then uses a full regular-expression engine).
    init?(_ pattern: String) {
        var parser = Parser(bytes: Array(pattern.utf8))
        guard let alternatives = parser.alternation(), parser.index == parser.bytes.count else { return nil }
        self.alternatives = alternatives
    }

    /// True when the whole text matches.
    func matches(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return alternatives.contains { sequence in
            Self.match(sequence[...], bytes, 0) { $0 == bytes.count }
        }
    }

    private static func match(
        _ sequence: ArraySlice<Node>, _ bytes: [UInt8], _ position: Int, _ then: (Int) -> Bool
    ) -> Bool {
        guard let node = sequence.first else { return then(position) }
        let rest = sequence.dropFirst()
        switch node {
        case .bytes(let set, let minimum, let maximum):
            var count = 0
            while count < maximum, position + count < bytes.count, set.contains(bytes[position + count]) { count += 1 }
            guard count >= minimum else { return false }
            for taken in stride(from: count, through: minimum, by: -1) where match(rest, bytes, position + taken, then) {
                return true
            }
            return false
        case .group(let alternatives, let minimum, let maximum):
            func repeated(_ done: Int, _ at: Int) -> Bool {
                if done < maximum {
                    for alternative in alternatives
                    where match(alternative[...], bytes, at, { $0 != at && repeated(done + 1, $0) }) {
                        return true
                    }
                }
                return done >= minimum && match(rest, bytes, at, then)
            }
            return repeated(0, position)
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
                    guard let inner = alternation(), index < bytes.count, bytes[index] == UInt8(ascii: ")") else { return nil }
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
                nodes.append(group.map { .group($0, min: minimum, max: maximum) } ?? .bytes(set, min: minimum, max: maximum))
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
            guard index < bytes.count, bytes[index] != UInt8(ascii: "^"), bytes[index] != UInt8(ascii: "]") else { return nil }
            while index < bytes.count, bytes[index] != UInt8(ascii: "]") {
                var low = bytes[index]
                if low == UInt8(ascii: "&"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "&") { return nil }
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
            if index < bytes.count, bytes[index] == UInt8(ascii: "?") || bytes[index] == UInt8(ascii: "+") { return nil }
            return result
        }

        private mutating func number() -> Int? {
            var value = 0
            var digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"), digits < 6 {
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
    }
}
