import CustmigCore
import Foundation
import Testing

@Suite("printed next steps")
struct SuggestedCommandTests {
    @Test("words the shell would split or expand are quoted; the default workspace is not named")
    func quoting() {
        #expect(SuggestedCommand.shellQuoted("w/plan-1") == "w/plan-1")
        #expect(SuggestedCommand.shellQuoted("my ws") == "'my ws'")
        #expect(SuggestedCommand.shellQuoted("O'Brien $HOME") == "'O'\\''Brien $HOME'")
        #expect(SuggestedCommand.text("approve 1", workspace: "migration") == "custmig approve 1")
        #expect(SuggestedCommand.text("approve 1", workspace: "/tmp/a b") == "custmig approve 1 --workspace '/tmp/a b'")
    }

    /// Pasted as printed, the approve hint of a dry run on another workspace approves that workspace's
    /// plan (it used to approve plan 1 of ./migration, exit 0); the unapproved cutover's fix names it too.
    @Test("the approve hint and the unapproved cutover's fix name the workspace the user gave")
    func pastedHintActsOnTheSameWorkspace() throws {
        let folder = try Paths.scratch()
        let workspace = folder + "/wave 1 (O'Brien)"
        let target = "sqlite:" + folder + "/target.db"
        #expect(try CLI.run(["target", "init", target, "--codes", Paths.samples("target-codes.csv")]).status == 0)
        let mapped = try CLI.run([
            "map", "--mapping", MappingLoaderTests.shipped("sap-debmas07"), Paths.samples("debmas07.xml"),
            "--workspace", workspace,
        ])
        #expect(mapped.status == 0 || mapped.status == 3, "\(mapped.stderr)")
        let planned = try CLI.run(["dry-run", "--target", target, "--workspace", workspace])
        let hint = try #require(planned.stdout.split(separator: "\n").first { $0.hasPrefix("approve: ") })
        let command = hint.dropFirst("approve: ".count).replacingOccurrences(of: "\"NAME\"", with: "\"Dana Finance\"")
        #expect(
            command.contains("--workspace 'wave 1 (O'\\''Brien)'") || command.contains("--workspace '"), "\(command)")

        let unapproved = try CLI.run(["cutover", "latest", "--workspace", workspace], in: folder)
        #expect(unapproved.status != 0 && unapproved.stderr.contains("--workspace '"), "\(unapproved.stderr)")

        // Pasted into a shell in another folder, with custmig on the PATH.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", String(command)]
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] =
            URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
        shell.environment = environment
        shell.currentDirectoryURL = URL(fileURLWithPath: folder)
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: folder + "/migration"), "the hint acted on ./migration")
        let cutover = try CLI.run(["cutover", "latest", "--workspace", workspace], in: folder)
        #expect(cutover.status == 0, "\(cutover.stderr)")
    }
}
