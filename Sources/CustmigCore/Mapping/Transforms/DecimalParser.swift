import Foundation

/// Reads a decimal written with given separators (`12.500,00` with `,` and `.`) and writes it in
/// canonical form (`12500.00`): `.` as decimal separator, no grouping, digits after the point kept.
public enum DecimalParser {
    public static func parse(_ value: String, decimal: Character, grouping: Character?) -> TransformResult {
        var text = value.trimmedWhitespace
        guard !text.isEmpty else { return .ok("") }
        var negative = false
        if text.hasPrefix("-") || text.hasPrefix("+") {
            negative = text.hasPrefix("-")
            text.removeFirst()
        } else if text.hasSuffix("-") {
            // SAP writes negative amounts with a trailing minus.
            negative = true
            text.removeLast()
        }
        var integer = ""
        var fraction: String?
        var groupLength = 0
        var sawGrouping = false
        for character in text {
            if character.isASCII && character.isNumber {
                if fraction != nil { fraction!.append(character) } else { integer.append(character) }
                groupLength += 1
            } else if character == decimal && fraction == nil {
                if sawGrouping && groupLength != 3 { return bad(value) }
                fraction = ""
            } else if let grouping, character == grouping, fraction == nil {
                if integer.isEmpty || (sawGrouping && groupLength != 3) || (!sawGrouping && groupLength > 3) {
                    return bad(value)
                }
                sawGrouping = true
                groupLength = 0
            } else {
                return bad(value)
            }
        }
        if fraction == nil && sawGrouping && groupLength != 3 { return bad(value) }
        guard !integer.isEmpty || !(fraction ?? "").isEmpty else { return bad(value) }
        let whole = integer.drop { $0 == "0" }
        // "0,00-" is zero: a minus sign on it would make control totals and diffs see a change.
        let isZero = whole.isEmpty && (fraction ?? "").allSatisfy { $0 == "0" }
        var result = (negative && !isZero ? "-" : "") + (whole.isEmpty ? "0" : String(whole))
        if let fraction, !fraction.isEmpty { result += "." + fraction }
        return .ok(result)
    }

    private static func bad(_ value: String) -> TransformResult {
        .invalid(value, "\"\(value)\" is not a number in the declared format")
    }
}
