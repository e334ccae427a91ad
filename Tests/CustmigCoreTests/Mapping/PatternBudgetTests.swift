import Foundation
import Testing

@testable import CustmigCore

/// Issue 25, item 6: patterns with nested repetition backtracked exponentially (`(a+)+` on 28 × a + `!`
/// took 43 s, on 40 more than a minute). Each case here ran for minutes or hours before the fix; the
/// time limit only stops a regression from hanging the suite.
@Suite("Patterns cost no more than their value's length", .timeLimit(.minutes(1)))
struct PatternBudgetTests {
    static let a40 = String(repeating: "a", count: 40)

    @Test(
        "the native matcher decides nested repetition in linear time, with the right answer",
        arguments: [
            ("(a+)+", String(repeating: "a", count: 28) + "!", false), ("(a+)+", a40 + "!", false),
            ("(a+)+", a40, true), ("([a-z]+)+[0-9]", a40 + "!", false), ("([a-z]+)+[0-9]", a40 + "7", true),
            ("(a|aa)+", String(repeating: "a", count: 5_000) + "b", false), ("(a*)*b", a40 + "c", false),
            ("((ab)*)*c", String(repeating: "ab", count: 30) + "c", true),
            // One nested call per repetition used to overflow the stack on a long value.
            ("(ab)+", String(repeating: "ab", count: 50_000), true),
            ("(ab)+", String(repeating: "ab", count: 50_000) + "a", false),
        ])
    func nativeNested(_ pattern: String, _ value: String, _ expected: Bool) throws {
        let native = try #require(SimplePattern(pattern))
        #expect(native.matches(value) == expected)
        #expect(native.matchesLinearly(value) == expected)
    }

    @Test("a counted repetition too large to unroll is left to the full engine")
    func hugeCount() {
        #expect(SimplePattern("(ab){0,99999}") == nil)
        #expect(SimplePattern("(ab){0,9}") != nil)
    }

    @Test("a rule pattern Foundation cannot decide within its budget is held for review, naming the rule")
    func ruleUndecided() throws {
        let path = MappingLoaderTests.shipped("legacy-flat-csv")
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(
                of: "rules:\n",
                with: """
                    rules:
                      - id: name-shape
                        pattern: {field: name1, regex: "(a+)+$"}
                        message: the name has an odd shape
                        fix: correct NAME1

                    """)
        let engine = MappingEngine(mapping: try MappingLoader.parse(text, file: path))
        var record = MappingEngineTests.clean
        record["NAME1"] = String(repeating: "a", count: 34) + "!"
        let mapped = engine.map(MappingEngineTests.record(record))
        let finding = try #require(mapped.findings.first { $0.rule == "name-shape" })
        #expect(finding.outcome == .review)
        #expect(finding.message.contains("could not decide rule name-shape"))
        #expect(finding.message.contains("(a+)+$"))
        #expect(finding.value == record["NAME1"])
        #expect(mapped.needsReview)

        record["NAME1"] = "aaaa"
        #expect(engine.map(MappingEngineTests.record(record)).findings.allSatisfy { $0.rule != "name-shape" })
        record["NAME1"] = "Müller"
        let plain = engine.map(MappingEngineTests.record(record))
        #expect(plain.findings.first { $0.rule == "name-shape" }?.outcome == .reject, "decided values still break it")
    }

    @Test("regex_replace that runs out of budget fails the value with a finding instead of running on")
    func replaceUndecided() {
        let transform = Transform.regexReplace(pattern: "(a+)+$", replacement: "x")
        let stuck = transform.apply(Self.a40 + "!")
        #expect(!stuck.isMapped)
        #expect("\(stuck.verdict)".contains("step budget"))
        let fine = transform.apply("baaa")
        #expect(fine.isMapped && fine.value == "bx")
        #expect(Transform.regexReplace(pattern: "(a)", replacement: "<$1>").apply("banana").value == "b<a>n<a>n<a>")
    }
}
