import Foundation
import Testing

@testable import CustmigCore

/// Decoding the gzip answers trytond sends a client that accepts them.
@Suite struct GzipTests {
    /// `text` compressed by the system's gzip, as a server's zlib writes it.
    static func gzipped(_ text: String) throws -> Data {
        let folder = try Paths.scratch()
        let path = folder + "/answer.json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-1", path]
        try process.run()
        process.waitUntilExit()
        return try Data(contentsOf: URL(fileURLWithPath: path + ".gz"))
    }

    @Test("a gzip answer decodes to the server's JSON; a cut-short one and plain JSON are told apart")
    func decodes() throws {
        let rows = (0..<5_000).map { "{\"id\":\($0),\"code\":\"C\($0)\",\"name\":\"Müller & Söhne \($0)\"}" }
        let json = "{\"id\":1,\"result\":[" + rows.joined(separator: ",") + "]}"
        let compressed = try Self.gzipped(json)
        #expect(compressed.count < json.utf8.count / 4)
        #expect(Gzip.isCompressed(compressed))
        #expect(Gzip.decompress(compressed) == Data(json.utf8))
        // Cut short (a connection closed early): no answer rather than half of one.
        #expect(Gzip.decompress(compressed.prefix(compressed.count / 2)) == nil)
        // trytond labels small, uncompressed answers gzip too: the magic bytes decide.
        #expect(!Gzip.isCompressed(Data("{\"id\":1,\"result\":[]}".utf8)))
        #expect(Gzip.decompress(Data("not gzip".utf8)) == nil)
    }
}
