import Foundation

/// The report formats `custmig profile` can write.
public enum ProfileReportFormat: String, Sendable, CaseIterable {
    case html
    case json
    case md
}

/// Writes profile reports into a folder: `<file>.profile.html|json|md`, and `index.html` for several.
public enum ProfileReportWriter {
    public static func write(
        _ profiles: [ExtractProfile], to directory: String, formats: Set<ProfileReportFormat>
    ) throws -> [String] {
        do {
            // 0700 and files 0600 whatever the umask: profiles quote legacy values (unless --mask-pii).
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CustmigError(
                .usage, code: "IO-OUT",
                "cannot create the report folder \"\(directory)\": \(error.localizedDescription)",
                fix: "choose a writable --out folder.")
        }
        var written: [String] = []
        var usedNames: [String: Int] = [:]
        var entries: [(name: String, profile: ExtractProfile)] = []
        for profile in profiles {
            var name = ProfileHTMLReport.baseName(profile.file.path)
            if let seen = usedNames[name] {
                usedNames[name] = seen + 1
                name += "-\(seen + 1)"
            } else {
                usedNames[name] = 1
            }
            entries.append((name, profile))
            if formats.contains(.html) {
                written.append(try save(ProfileHTMLReport.render(profile), to: "\(directory)/\(name).profile.html"))
            }
            if formats.contains(.json) {
                written.append(try save(json(profile), to: "\(directory)/\(name).profile.json"))
            }
            if formats.contains(.md) {
                written.append(try save(ProfileText.markdown(profile), to: "\(directory)/\(name).profile.md"))
            }
        }
        if profiles.count > 1 && formats.contains(.html) {
            written.append(try save(index(entries), to: "\(directory)/index.html"))
        }
        return written
    }

    public static func json(_ profile: ExtractProfile) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let data = try encoder.encode(profile)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func save(_ text: String, to path: String) throws -> String {
        let output = try FileOutput(path: path, mode: 0o600)
        try output.write(text)
        try output.close()
        return path
    }

    private static func index(_ entries: [(name: String, profile: ExtractProfile)]) -> String {
        var html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Extract profiles</title>"
        html += "<style>\(HTML.style)</style></head><body><header><h1>Extract profiles</h1></header><main><table>"
        html += "<tr><th>extract</th><th>format</th><th>encoding</th><th class=\"num\">records</th>"
        html += "<th class=\"num\">malformed</th><th class=\"num\">fields</th><th>candidate keys</th></tr>"
        for entry in entries {
            let file = entry.profile.file
            let keys = entry.profile.candidateKeysText
            // A relative link whatever the extract's name (`javascript:…` stays a file name), percent-encoded.
            let link =
                "./" + (entry.name + ".profile.html").addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!
            html += "<tr><td><a href=\"\(HTML.escape(link))\">\(HTML.escape(file.path))</a></td>"
            html += "<td>\(file.format.rawValue)</td><td>\(HTML.escape(file.encoding))</td>"
            html += "<td class=\"num\">\(HTML.grouped(file.records))</td>"
            html +=
                "<td class=\"num\(file.malformedRecords > 0 ? " bad" : "")\">\(HTML.grouped(file.malformedRecords))</td>"
            html += "<td class=\"num\">\(entry.profile.fields.count)</td><td>\(HTML.escape(keys))</td></tr>"
        }
        return html + "</table></main>\(HTML.colophon)</body></html>\n"
    }
}
