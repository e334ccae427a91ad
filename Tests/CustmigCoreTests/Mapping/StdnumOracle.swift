import Foundation
import Testing

/// python-stdnum from the Tryton venv: what Tryton validates VAT ids and IBANs with, so the oracle for
/// custmig's own checks. CI builds the venv; elsewhere the tests that need it skip with a note.
enum StdnumOracle {
    /// The venv's python, or nil after a note (or, under `CUSTMIG_REQUIRE_TRYTON=1`, a failure).
    static func python(comparing what: String) -> String? {
        let environment = ProcessInfo.processInfo.environment
        let venv = environment["CUSTMIG_TRYTON_VENV"] ?? Paths.repository.appendingPathComponent(".tryton/venv").path
        let python = venv + "/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            if environment["CUSTMIG_REQUIRE_TRYTON"] == "1" {
                Issue.record("CUSTMIG_REQUIRE_TRYTON=1 but no Tryton venv at \(venv)")
            } else {
                print("note: \(what) not compared with python-stdnum: no Tryton venv at \(venv).")
            }
            return nil
        }
        return python
    }

    /// Runs `script` with a file of `inputs` (one per line) as its argument; one output line per input.
    static func answers(_ inputs: [String], script: String, python: String) throws -> [Substring] {
        let input = try Paths.scratch() + "/inputs.txt"
        try inputs.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, input]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let answers = String(decoding: output, as: UTF8.self).split(separator: "\n")
        try #require(answers.count == inputs.count, "python answered \(answers.count) of \(inputs.count) lines")
        return answers
    }

    /// Runs `script` (printing 1 for a valid input, 0 for an invalid one) and compares its verdicts with
    /// custmig's: the disagreements, described, and how many inputs stdnum found valid.
    static func disagreements(
        _ inputs: [String], script: String, python: String, custmig: (String) -> (valid: Bool, detail: String)
    ) throws -> (found: [String], stdnumValid: Int) {
        let verdicts = try answers(inputs, script: script, python: python)
        var found: [String] = []
        var stdnumValid = 0
        for (input, verdict) in zip(inputs, verdicts) {
            let stdnum = verdict == "1"
            if stdnum { stdnumValid += 1 }
            let ours = custmig(input)
            if ours.valid != stdnum { found.append("\(input): stdnum says \(stdnum), custmig \(ours.detail)") }
        }
        return (found, stdnumValid)
    }
}
