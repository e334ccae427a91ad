import Foundation
import GRDB
import Testing

/// Issue 25, item 11: a SQLite target deleted during a cutover took every later batch into the deleted
/// file ("done") and the end of the run reported a permissions problem.
@Suite("A target deleted mid-cutover")
struct DeletedTargetTests {
    @Test("the next batch stops with TARGET-GONE, exit 66, naming the file and the fix")
    func gone() throws {
        let sample = try MappedSample()
        let planned = try CLI.run(["dry-run", "--target", sample.target, "--workspace", sample.workspace])
        #expect(planned.status == 0, "\(planned.stderr)")
        let path = String(sample.target.dropFirst("sqlite:".count))
        let folder = try Paths.scratch()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", "exec \"$0\" \"$@\" >\"\(folder)/out\" 2>\"\(folder)/err\"", CLI.binary, "cutover", "latest",
            "--allow-unapproved", "--batch-size", "1", "--workspace", sample.workspace,
        ]
        try process.run()
        var configuration = Configuration()
        configuration.readonly = true
        var seen = 0
        for _ in 0..<2_000 where seen < 3 {
            seen =
                (try? DatabaseQueue(path: path, configuration: configuration).read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM custmig_checkpoint")
                }) ?? 0
            if seen < 3 { usleep(5_000) }
        }
        #expect(seen >= 3, "batches are being committed")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        process.waitUntilExit()
        let stderr = try String(contentsOfFile: folder + "/err", encoding: .utf8)
        #expect(process.terminationStatus == 66, "\(stderr)")
        #expect(
            stderr.contains("[TARGET-GONE] the target file \(path) was deleted while custmig had it open"), "\(stderr)")
        #expect(!stderr.contains("permission"), "\(stderr)")
    }
}
