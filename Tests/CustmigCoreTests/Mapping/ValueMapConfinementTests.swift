import Foundation
import Testing

@testable import CustmigCore

/// A mapping reads value-map files from its own folder only, and quotes no line of a file that is not a
/// value map (issue: `file: ../../../../etc/passwd` was read and its lines echoed in errors).
@Suite("value-map files confined to the mapping's folder")
struct ValueMapConfinementTests {
    func map(naming file: String, prepare: (String) throws -> Void = { _ in }) throws -> CLI.Output {
        let folder = try Paths.scratch()
        let mapping = folder + "/mapping"
        try FileManager.default.copyItem(
            atPath: Paths.repository.appendingPathComponent("Mappings/legacy-flat-csv").path, toPath: mapping)
        try prepare(mapping)
        let text = try String(contentsOfFile: mapping + "/mapping.yaml", encoding: .utf8)
            .replacingOccurrences(of: "{file: payment-terms.csv,", with: "{file: \"\(file)\",")
        try text.write(toFile: mapping + "/mapping.yaml", atomically: true, encoding: .utf8)
        return try CLI.run([
            "map", "--mapping", mapping + "/mapping.yaml", Paths.samples("customers.csv"), "--workspace", folder + "/w",
        ])
    }

    @Test(
        "a file outside the folder, by ../, by absolute path or through a symbolic link, is refused by name, unread",
        arguments: ["../../../../../../etc/passwd", "/etc/passwd", "linked.csv"])
    func refused(_ file: String) throws {
        let result = try map(naming: file) { mapping in
            try FileManager.default.createSymbolicLink(
                atPath: mapping + "/linked.csv", withDestinationPath: "/etc/passwd")
        }
        #expect(result.status != 0)
        #expect(
            result.stderr.contains("MAP-VALUE-MAP-FILE") && result.stderr.contains("outside the mapping's folder"),
            "\(result.stderr)")
        #expect(!result.stderr.contains("root:") && !result.stdout.contains("root:"), "\(result.stderr)")
    }

    @Test("a file beside the mapping that is not a value map is named with its line numbers, its lines unquoted")
    func notAValueMap() throws {
        let result = try map(naming: "secret.txt") { mapping in
            try "line one holds a secret: hunter2\nanother secret line\n".write(
                toFile: mapping + "/secret.txt", atomically: true, encoding: .utf8)
        }
        #expect(result.status != 0)
        #expect(result.stderr.contains("secret.txt:1") && !result.stderr.contains("hunter2"), "\(result.stderr)")
    }

    @Test(
        "a value-map line is read as CSV: quoted codes may hold commas and quotes",
        arguments: [
            ("a,b", ["a", "b"]), ("\"Müller, Hamburg\",MH", ["Müller, Hamburg", "MH"]),
            ("\"say \"\"hi\"\"\",x", ["say \"hi\"", "x"]), (" \"a\" ,b", ["a ", "b"]), ("a,b,c", ["a", "b", "c"]),
            ("x,", ["x", ""]),
        ])
    func csvLine(_ line: String, _ expected: [String]) {
        #expect(ValueMap.fields(line) == expected)
    }

    @Test("a quoted code with a comma maps; an unclosed quote and a third value are named by line")
    func quotedEntries() throws {
        let folder = try Paths.scratch() + "/m"
        try FileManager.default.copyItem(
            atPath: Paths.repository.appendingPathComponent("Mappings/legacy-flat-csv").path, toPath: folder)
        try "legacy,target\n\"Z0,30\",NT30\n\"30 \"\"net\"\"\",NT30\n".write(
            toFile: folder + "/payment-terms.csv", atomically: true, encoding: .utf8)
        let mapping = try MappingLoader.load(path: folder + "/mapping.yaml")
        let terms = try #require(mapping.valueMaps["payment_terms"])
        #expect(terms.lookup("Z0,30") == "NT30")
        #expect(terms.lookup("30 \"net\"") == "NT30")
        try "legacy,target\n\"Z0,30,NT30\nA,B,C\n".write(
            toFile: folder + "/payment-terms.csv", atomically: true, encoding: .utf8)
        do {
            _ = try MappingLoader.load(path: folder + "/mapping.yaml")
            Issue.record("a broken value map loaded")
        } catch let problems as MappingProblems {
            let text = problems.problems.map(\.description).joined(separator: "\n")
            #expect(text.contains("payment-terms.csv:2: a quote on this line does not close"), "\(text)")
            #expect(
                text.contains("payment-terms.csv:3: expected legacy,target") && text.contains("this line has 3 values"),
                "\(text)")
        }
    }
}
