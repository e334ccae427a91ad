import CustmigCore
import Foundation
import GRDB
import Testing

/// What a user meets before any data: the version, a mistyped command, help texts, and `status`
/// while another command is at work in the workspace.
@Suite struct CommandConventionsTests {
    @Test("custmig --version prints the version every run records")
    func version() throws {
        let output = try CLI.run(["--version"])
        #expect(output.status == 0)
        #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == CustmigVersion.current)
    }

    @Test("a mistyped command is named with the closest one, not reported as an unknown option")
    func mistypedCommand() throws {
        let output = try CLI.run(["dryrun", "--target", "sqlite:x.db"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("custmig has no command \"dryrun\""), "\(output.stderr)")
        #expect(output.stderr.contains("did you mean \"dry-run\"?"), "\(output.stderr)")
        #expect(!output.stderr.contains("Unknown option"), "\(output.stderr)")
        let far = try CLI.run(["frobnicate"])
        #expect(far.status == 64 && far.stderr.contains("custmig --help lists the commands"), "\(far.stderr)")
        // Real commands and help still parse.
        #expect(try CLI.run(["help", "dry-run"]).status == 0)
    }

    @Test("help prints each default once")
    func defaultsOnce() throws {
        for command in ["peek", "profile"] {
            let help = try CLI.run([command, "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
                .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            #expect(!help.contains("(default: 0). (default: 0)"), "\(command): \(help)")
            #expect(help.contains("(default: 0)"), "\(command)")
        }
        // Every command: an option whose text names its default never gets a second one from the parser.
        let commands = [
            "peek", "profile", "map", "explain", "duplicates", "target", "dry-run", "approve", "cutover", "rollback",
            "reconcile", "status", "purge", "samples", "crosswalk",
        ]
        for command in commands {
            let help = try CLI.run([command, "--help"]).stdout
            // Options are separated by a line that starts an option ("  --name" or "  -x").
            let options = help.components(separatedBy: "\n  -").dropFirst()
            for option in options {
                let text = option.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                let named = text.contains("(default ") || text.contains("(default)") || text.contains(", default ")
                #expect(!(named && text.contains("(default: ")), "\(command): -\(text.prefix(200))")
            }
        }
    }

    @Test("help paragraphs wrap at the terminal's width, without a ragged short line at every source line break")
    func helpFlows() throws {
        let commands = [
            [], ["peek"], ["profile"], ["map"], ["duplicates"], ["dry-run"], ["approve"], ["cutover"], ["rollback"],
            ["reconcile"], ["purge"], ["status"], ["samples"], ["target", "init"],
        ]
        for command in commands {
            let help = try CLI.run(command + ["--help"], environment: ["COLUMNS": "80"]).stdout
            let lines = help.components(separatedBy: "\n")
            for (line, next) in zip(lines, lines.dropFirst()) {
                // A line of prose followed by more of the same paragraph fills the width (a few words short
                // of 80 at most); before, "a\nsuperseded plan," showed every source line break.
                guard !line.isEmpty, !line.hasPrefix(" "), !next.isEmpty, !next.hasPrefix(" "), !next.hasPrefix("- "),
                    !line.hasSuffix(":"), !next.hasSuffix(":"), !next.hasPrefix("USAGE"), !next.hasPrefix("OPTIONS")
                else { continue }
                #expect(line.count >= 55, "\(command): a ragged line \"\(line)\" before \"\(next)\"")
            }
        }
    }

    @Test("status while another command holds the workspace says it is running, and who runs it")
    func statusInProgress() throws {
        let folder = try Paths.scratch() + "/w"
        do {
            let holder = try Workspace(path: folder, command: "custmig map Samples/customers.csv", writer: true)
            let status = try CLI.run(["status", "--workspace", folder])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("in progress: pid \(getpid())"), "\(status.stdout)")
            #expect(status.stdout.contains("custmig map Samples/customers.csv"), "\(status.stdout)")
            withExtendedLifetime(holder) {}
        }
        let after = try CLI.run(["status", "--workspace", folder])
        #expect(!after.stdout.contains("in progress"), "\(after.stdout)")
    }

    @Test("every report a person reads names the custmig that wrote it")
    func reportsNameTheVersion() throws {
        let folder = try Paths.scratch()
        let workspace = folder + "/w"
        let mapped = try CLI.run([
            "map", "--mapping", MappingLoaderTests.shipped("legacy-flat-csv"), Paths.samples("customers.csv"),
            "--workspace", workspace,
        ])
        #expect(mapped.status == 0 || mapped.status == 3, "\(mapped.stderr)")
        #expect(try CLI.run(["target", "init", "sqlite:\(folder)/t.db"]).status == 0)
        let planned = try CLI.run(["dry-run", "--target", "sqlite:\(folder)/t.db", "--workspace", workspace])
        #expect(planned.status == 0, "\(planned.stderr)")
        let reports = FileManager.default.enumerator(atPath: workspace + "/reports")?.compactMap { $0 as? String } ?? []
        let pages = reports.filter { $0.hasSuffix(".html") }
        #expect(pages.count >= 2, "\(reports)")
        for page in pages {
            let text = try String(contentsOfFile: workspace + "/reports/" + page, encoding: .utf8)
            #expect(text.contains("written by custmig \(CustmigVersion.current)"), "\(page)")
        }
        let plan = try String(contentsOfFile: workspace + "/reports/plan-1/plan.json", encoding: .utf8)
        #expect(plan.contains("\"custmigVersion\":\"\(CustmigVersion.current)\""))
        // The ledger too: the map run and the plan name the custmig that made them.
        let ledger = try DatabaseQueue(path: workspace + "/ledger.sqlite")
        let versions = try ledger.read { db in
            try String.fetchAll(db, sql: "SELECT custmig_version FROM run UNION ALL SELECT custmig_version FROM plan")
        }
        #expect(versions.count >= 2 && versions.allSatisfy { $0 == CustmigVersion.current }, "\(versions)")
    }
}
