/// Renders a profile as one self-contained HTML page: file facts and warnings, then one card per field.
public enum ProfileHTMLReport {
    public static func render(_ profile: ExtractProfile) -> String {
        let file = profile.file
        var html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        html += "<title>Profile of \(HTML.escape(baseName(file.path)))</title><style>\(HTML.style)</style></head><body>"
        html += "<header><h1>Profile of \(HTML.escape(baseName(file.path)))</h1><div class=\"facts\">"
        var facts: [(String, String)] = [
            ("File", file.path), ("Size", ProfileText.bytes(file.sizeBytes)),
            ("Format", file.format.rawValue.uppercased()),
            ("Encoding", "\(file.encoding) (\(HTML.format(file.encodingConfidence * 100, digits: 0))% sure)"),
        ]
        if let delimiter = file.delimiter { facts.append(("Delimiter", delimiter)) }
        if let endings = file.lineEndings { facts.append(("Line endings", endings)) }
        if let path = file.recordPath { facts.append(("Record path", path)) }
        facts.append(("Records", HTML.grouped(file.records)))
        facts.append(("Malformed", HTML.grouped(file.malformedRecords)))
        facts.append(("Fields", String(profile.fields.count)))
        facts.append(("Profiled in", HTML.format(file.elapsedSeconds, digits: 2) + " s"))
        for (label, value) in facts { html += "<span><b>\(label):</b> \(HTML.escape(value))</span>" }
        html += "</div></header><main>"
        html += "<p class=\"muted\">Encoding: \(HTML.escape(file.encodingReason)).</p>"
        if file.malformedRecords > 0 || !file.malformedSamples.isEmpty {
            html +=
                "<div class=\"errors\"><b>\(HTML.grouped(file.malformedRecords)) malformed records</b> were not profiled"
            let codes = file.malformedByCode.sorted { $0.value > $1.value }.map { "\($0.key): \($0.value)" }
            html += " (" + HTML.escape(codes.joined(separator: ", ")) + "). First ones:<ul>"
            for sample in file.malformedSamples.prefix(20) {
                let place = sample.line.map { "line \($0)" + (sample.column.map { ", column \($0)" } ?? "") } ?? "—"
                html += "<li><b>\(place)</b> [\(HTML.escape(sample.code))] \(HTML.escape(sample.message))"
                if let fix = sample.fix { html += " <i>Fix: \(HTML.escape(fix))</i>" }
                html += "</li>"
            }
            html += "</ul></div>"
        }
        if !file.warnings.isEmpty {
            html += "<div class=\"warnings\"><b>Warnings</b><ul>"
            for warning in file.warnings.prefix(30) { html += "<li>\(HTML.escape(warning))</li>" }
            html += "</ul></div>"
        }
        html += "<div class=\"cards\">"
        for field in profile.fieldsInReadingOrder { html += card(field, records: file.records) }
        html += "</div><p class=\"muted\">Written by custmig. Counts marked ≤ are upper bounds from a bounded sketch; "
        html +=
            "distinct counts marked ≈ are HyperLogLog estimates (about 1% error).</p></main>\(HTML.colophon)</body></html>\n"
        return html
    }

    private static func card(_ field: FieldProfile, records: Int) -> String {
        var html = "<section class=\"card\" id=\"\(HTML.escape(field.name))\"><h2>\(HTML.escape(field.name))</h2>"
        html += "<span class=\"type\">\(HTML.escape(field.typeLabel))</span> "
        if let perParent = field.segmentsPerParent { html += "<span class=\"type\">\(perParent)</span> " }
        if field.isCandidateKey { html += "<span class=\"type key\">candidate key</span> " }
        if field.masked { html += "<span class=\"type pii\">personal data: masked</span>" }
        let nonBlank = field.present - field.empty - field.blank
        html += "<table>"
        func row(_ label: String, _ value: String, bad: Bool = false) {
            html += "<tr><th>\(label)</th><td class=\"num\(bad ? " bad" : "")\">\(HTML.escape(value))</td></tr>"
        }
        row("present", HTML.grouped(field.present))
        row(
            "empty / blank", "\(HTML.grouped(field.empty)) / \(HTML.grouped(field.blank))",
            bad: field.empty + field.blank > 0 && field.isCandidateKey)
        row("distinct", (field.distinctIsEstimate ? "≈ " : "") + HTML.grouped(field.distinct))
        if let duplicates = field.duplicateValues, duplicates > 0, field.distinct * 10 > nonBlank * 9 {
            row("repeated values", HTML.grouped(duplicates), bad: true)
        }
        if let minimum = field.minLength, let maximum = field.maxLength { row("length", "\(minimum) – \(maximum)") }
        if field.inferredType != .text {
            row(
                "not \(field.inferredType.rawValue)", HTML.format(field.nonConformingShare * 100, digits: 1) + "%",
                bad: field.nonConformingShare > 0)
        }
        if field.leadingWhitespace + field.trailingWhitespace > 0 {
            row(
                "leading / trailing spaces",
                "\(HTML.grouped(field.leadingWhitespace)) / \(HTML.grouped(field.trailingWhitespace))", bad: true)
        }
        if field.nonASCII > 0 { row("non-ASCII values", HTML.grouped(field.nonASCII)) }
        if field.controlCharacters > 0 {
            row("values with control characters", HTML.grouped(field.controlCharacters), bad: true)
        }
        if let numeric = field.numeric {
            row(
                "min / mean / max",
                "\(ProfileText.number(numeric.min)) / \(ProfileText.number(numeric.mean)) / \(ProfileText.number(numeric.max))"
            )
        }
        if field.decimalCommaCount > 0 { row("decimal comma", HTML.grouped(field.decimalCommaCount)) }
        if !field.dateLayouts.isEmpty {
            row(
                "date layouts",
                field.dateLayouts.sorted { $0.value > $1.value }.map { "\($0.key) (\($0.value))" }.joined(
                    separator: ", "))
        }
        html += "</table>"
        html +=
            "<h3>Top values\(field.topValuesMeaningful ? "" : " (mostly unique: not tracked past the first values)")</h3>"
        html += HTML.barChart(
            field.topValues.map { (($0.estimated ? "≤ " : "") + HTML.visible($0.value), $0.count) },
            total: field.present)
        html += "<h3>Patterns</h3>"
        html += HTML.barChart(field.patterns.prefix(8).map { (HTML.visible($0.value), $0.count) }, total: field.present)
        return html + "</section>"
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
