import Foundation

/// The content of a mapping version: the YAML and every file it uses, with one checksum over all.
public struct MappingVersion: Sendable, Codable {
    public var name: String
    public var version: Int
    /// File name (relative to the mapping's folder) -> content.
    public var files: [String: String]
    public var checksum: String

    public init(mapping: Mapping) throws {
        name = mapping.name
        version = mapping.version
        let folder = (mapping.file as NSString).deletingLastPathComponent
        var files: [String: String] = [:]
        files[(mapping.file as NSString).lastPathComponent] = try String(contentsOfFile: mapping.file, encoding: .utf8)
        for table in mapping.valueMaps.values {
            if let file = table.file, let text = try? String(contentsOfFile: file, encoding: .utf8) {
                files[(file as NSString).lastPathComponent] = text
            }
        }
        for extra in ["corrections.csv", "review-decisions.csv", "duplicate-decisions.csv"] {
            let path = (folder.isEmpty ? "." : folder) + "/" + extra
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { files[extra] = text }
        }
        self.files = files
        checksum = FileDigest.sha256(files.keys.sorted().map { "\($0)\n\(files[$0]!)" }.joined(separator: "\n\u{0}\n"))
    }
}
