import Foundation

/// Normalizes an email address (trimmed, lower case) and checks its syntax; an obfuscated address
/// (`name(at)firm.de`) goes to review rather than being repaired by guess.
public enum EmailNormalizer {
    public static func normalize(_ value: String) -> TransformResult {
        let trimmed = value.trimmedWhitespace
        guard !trimmed.isEmpty else { return .ok("") }
        let lowered = trimmed.lowercased()
        if lowered.containsBytes("(at)") || lowered.containsBytes("[at]") || lowered.containsBytes(" at ") {
            return .review(value, "\"\(value)\" spells out \"at\"; confirm the address with the customer")
        }
        let valid = Array(lowered.utf8).withUnsafeBufferPointer { ValueAnalyzer.isEmail($0.baseAddress!, $0.count) }
        guard valid && !lowered.utf8.contains(0x20) else {
            return .invalid(value, "\"\(value)\" is not a valid email address")
        }
        return .ok(lowered)
    }
}
