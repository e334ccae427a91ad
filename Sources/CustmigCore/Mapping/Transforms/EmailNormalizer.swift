import Foundation

/// Normalizes an email address (trimmed, lower case) and checks its syntax; an obfuscated address
/// (`name(at)firm.de`) goes to review rather than being repaired by guess. The wrappers exports put
/// around an address are taken off: `mailto:` and a display name (`Anna Huber <anna@firm.de>`, with a
/// note, since the name is dropped). Several addresses in one field go to review: which one is meant
/// is the steward's choice.
public enum EmailNormalizer {
    public static func normalize(_ value: String) -> TransformResult {
        var address = value.trimmedWhitespace
        guard !address.isEmpty else { return .ok("") }
        var note: String?
        // The first byte first: lower-casing a prefix of every address made a string each time.
        if address.utf8.count > 7, address.utf8.first.map({ $0 | 0x20 }) == UInt8(ascii: "m"),
            address.prefix(7).lowercased() == "mailto:"
        {
            address = String(address.dropFirst(7)).trimmedWhitespace
        }
        if address.hasSuffix(">"), let open = address.lastIndex(of: "<") {
            let name = address[..<open].trimmingCharacters(in: .whitespaces)
            address =
                String(address[address.index(after: open)..<address.index(before: address.endIndex)]).trimmedWhitespace
            if !name.isEmpty { note = "display name \"\(name)\" dropped" }
        }
        // An address of ASCII without capitals is its own lower case (most are): no copy made.
        let lowered =
            address.utf8.allSatisfy({ $0 < 0x80 && !($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) })
            ? address : address.lowercased()
        // Each spelling starts with a bracket or a space, which most addresses lack: one scan for those first.
        if lowered.utf8.contains(where: { $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: "[") || $0 == 0x20 }),
            lowered.containsBytes("(at)") || lowered.containsBytes("[at]") || lowered.containsBytes(" at ")
        {
            return .review(value, "\"\(value)\" spells out \"at\"; confirm the address with the customer")
        }
        var ats = 0
        for byte in lowered.utf8 where byte == UInt8(ascii: "@") { ats += 1 }
        if ats > 1
            && lowered.utf8.contains(where: { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: ",") || $0 == 0x20 })
        {
            return .review(value, "\"\(value)\" holds several addresses; choose one in a correction")
        }
        var bytes = lowered
        let valid = bytes.withUTF8 { $0.isEmpty ? false : ValueAnalyzer.isEmail($0.baseAddress!, $0.count) }
        guard valid && !lowered.utf8.contains(0x20) && hasValidDots(lowered) else {
            return .invalid(value, "\"\(value)\" is not a valid email address")
        }
        if let note { return .note(lowered, note) }
        return .ok(lowered)
    }

    /// What the syntax check leaves to here: no empty part between dots in the local part (`a..b@`),
    /// no domain label starting or ending with a hyphen, and the lengths RFC 5321 allows.
    private static func hasValidDots(_ address: String) -> Bool {
        var address = address
        // Over the bytes in place: walking the UTF-8 view's slices index by index cost a fifth of the check.
        return address.withUTF8 { bytes in
            guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return false }
            guard at <= 64, bytes.count <= 254 else { return false }
            var previous = UInt8(ascii: ".")
            for byte in bytes[..<at] {
                if byte == UInt8(ascii: ".") && previous == UInt8(ascii: ".") { return false }
                previous = byte
            }
            if previous == UInt8(ascii: ".") { return false }
            var label = 0
            previous = UInt8(ascii: ".")
            for byte in bytes[(at + 1)...] {
                if byte == UInt8(ascii: ".") {
                    if label == 0 || previous == UInt8(ascii: "-") { return false }
                    label = 0
                } else {
                    if label == 0 && byte == UInt8(ascii: "-") { return false }
                    label += 1
                    if label > 63 { return false }
                }
                previous = byte
            }
            return label > 0 && previous != UInt8(ascii: "-")
        }
    }
}
