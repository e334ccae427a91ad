import Foundation
import Testing

@testable import CustmigCore

/// `--mask-pii` reports go to a wide audience (Runbook 4): no personal value may reach them, wherever
/// it travels — a field's value, a reject's reason quoting the source, a conflict's sides.
@Suite("masked plan reports")
struct MaskedPlanLeakTests {
    /// Personal values planted in the sample extract: valid ones (loaded, shown as fields) and broken
    /// ones (rejected or held for review, quoted in the reasons).
    static let planted: [(customer: String, column: Int, value: String)] = [
        ("100001", 27, "planted.person@leak-test.example"),
        ("100002", 27, "broken@@leak-test.example"),
        ("100003", 27, "jan.kowalski@leak-probe.example"),
        ("100004", 24, "DE89 3704 0044 0532 0130 00"),
        ("100005", 24, "DE00 3704 0044 0532 0130 01"),
        ("100006", 26, "+49 30 9876 5432"),
        ("100008", 26, "+49 30 98X 765"),
        ("100009", 10, "DE811907980"),
        ("100010", 10, "DE12345"),
        ("100011", 25, "Sørensen-Plantowa"),
    ]

    /// The forms a value can take in a report: as written, compacted, upper and lower case.
    static func forms(_ value: String) -> Set<String> {
        let compact = value.filter { $0 != " " }
        return Set([value, compact, compact.uppercased(), compact.lowercased(), value.lowercased()])
            .filter { $0.count >= 6 }
    }

    func plan(masked: Bool) async throws -> [String] {
        let scenario = try DryRunScenario()
        try await scenario.map { text in
            var text = text
            for (customer, column, value) in Self.planted {
                text = text.replacingLine(customer) { $0.field(column, value) }
            }
            return text
        }
        return try await scenario.dryRun { $0.maskPII = masked }.reports
    }

    @Test("no planted personal value is in any byte of the masked HTML, CSV or JSON; unmasked, they are")
    func nothingLeaks() async throws {
        let masked = try await plan(masked: true)
        #expect(masked.count == 3)
        for report in masked {
            let text = try String(contentsOfFile: report, encoding: .utf8)
            for (_, _, value) in Self.planted {
                for form in Self.forms(value) {
                    #expect(!text.contains(form), "\(form) is in \((report as NSString).lastPathComponent)")
                }
            }
        }
        // The same extract unmasked shows them: the test looks where the values do go.
        let clear = try await plan(masked: false).map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        let shown = Self.planted.filter { entry in Self.forms(entry.value).contains { clear.contains($0) } }
        #expect(shown.count >= 8, "only \(shown.map(\.value)) are in the unmasked reports")
    }

    /// The planted extract mapped through the command line, with or without `--mask-pii`: the text of
    /// its findings report (CSV and HTML).
    func findings(masked: Bool) throws -> String {
        let folder = try Paths.scratch()
        var text = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
        for (customer, column, value) in Self.planted {
            text = text.replacingLine(customer) { $0.field(column, value) }
        }
        try text.write(toFile: folder + "/customers.csv", atomically: true, encoding: .windowsCP1252)
        let mapped = try CLI.run(
            [
                "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), folder + "/customers.csv",
                "--workspace", folder + "/w",
            ] + (masked ? ["--mask-pii"] : []))
        #expect(mapped.status == 0 || mapped.status == 3, "\(mapped.stderr)")
        return try ["findings.csv", "findings.html"].map {
            try String(contentsOfFile: folder + "/w/reports/run-1/" + $0, encoding: .utf8)
        }.joined()
    }

    @Test("map --mask-pii: no planted personal value in the findings report; without it, the broken ones are")
    func findingsDoNotLeak() throws {
        let masked = try findings(masked: true)
        for (_, _, value) in Self.planted {
            for form in Self.forms(value) { #expect(!masked.contains(form), "\(form) is in the masked findings") }
        }
        let clear = try findings(masked: false)
        let shown = Self.planted.filter { entry in Self.forms(entry.value).contains { clear.contains($0) } }
        #expect(shown.count >= 4, "only \(shown.map(\.value)) are in the unmasked findings")
    }

    @Test("masking mentions keeps what is not personal: keys, codes, amounts, dates")
    func mentions() {
        let reason =
            "waiting for review of transform:email (contacts[0].email = \"j.wi?niews@x.de\") — customer 0000100972, "
            + "credit_limit = \"245500.00\", created_on = \"2002-02-06\", Language \"el\", IBAN DE89370400440532013000 "
            + "is also customer 0000100001's; phone +49 30 1234567"
        let masked = PersonalData.maskingMentions(in: reason)
        #expect(!masked.contains("wi?niews") && !masked.contains("DE89370400440532013000"), "\(masked)")
        #expect(!masked.contains("1234567"), "\(masked)")
        #expect(PersonalData.maskingMentions(in: "an \"unclosed quote") == "an \"unclosed quote")
        for kept in ["0000100972", "245500.00", "2002-02-06", "\"el\"", "0000100001's", "contacts[0].email"] {
            #expect(masked.contains(kept), "\(kept) was masked: \(masked)")
        }
    }
}
