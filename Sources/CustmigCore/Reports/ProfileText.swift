import Foundation

/// Plain-text renderings of a profile: the terminal summary and Markdown.
public enum ProfileText {
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(count) B" : HTML.format(value, digits: 1) + " " + units[unit]
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return HTML.grouped(Int(value)) }
        return HTML.format(value, digits: 2)
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "0%" : HTML.format(Double(part) * 100 / Double(whole), digits: 1) + "%"
    }

    /// A one-screen summary: file facts, then one line per field (at most `maxFields`).
    public static func summary(_ profile: ExtractProfile, maxFields: Int = 40) -> String {
        let file = profile.file
        var lines: [String] = []
        var head = "\(file.path): \(file.format.rawValue.uppercased()), \(bytes(file.sizeBytes)), \(file.encoding)"
        if let delimiter = file.delimiter { head += ", delimiter \(delimiter)" }
        if let path = file.recordPath { head += ", records at \(path)" }
        lines.append(head)
        lines.append(
            "\(HTML.grouped(file.records)) records, \(HTML.grouped(file.malformedRecords)) malformed, "
                + "\(profile.fields.count) fields, \(HTML.format(file.elapsedSeconds, digits: 2)) s")
        let nameWidth = min(28, max(5, profile.fieldsInReadingOrder.prefix(maxFields).map(\.name.count).max() ?? 5))
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
        }
        func left(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        lines.append(
            pad("field", nameWidth) + "  " + pad("type", 12) + left("empty", 8) + left("distinct", 11)
                + left("misfit", 8)
                + "  top value")
        for field in profile.fieldsInReadingOrder.prefix(maxFields) {
            let nonBlank = field.present - field.empty - field.blank
            let misfit = field.inferredType == .text ? "" : HTML.format(field.nonConformingShare * 100, digits: 1) + "%"
            var top = field.topValues.first.map { "\(HTML.visible($0.value)) (\($0.count))" } ?? ""
            if field.isCandidateKey {
                top = "candidate key"
            } else if !field.topValuesMeaningful {
                top = "mostly unique"
            }
            if let perParent = field.segmentsPerParent { top = perParent }
            if top.count > 30 { top = String(top.prefix(29)) + "…" }
            lines.append(
                pad(field.name, nameWidth) + "  " + pad(field.typeLabel, 12)
                    + left(percent(field.empty + field.blank, of: field.present), 8)
                    + left((field.distinctIsEstimate ? "≈" : "") + HTML.grouped(field.distinct), 11) + left(misfit, 8)
                    + "  " + top + (nonBlank == 0 ? " (all empty)" : ""))
        }
        if profile.fields.count > maxFields {
            lines.append("… and \(profile.fields.count - maxFields) more fields in the reports.")
        }
        let controlled = profile.fields.filter { $0.controlCharacters > 0 }
        if !controlled.isEmpty {
            lines.append(
                "control characters (map replaces them with spaces, noted): "
                    + controlled.prefix(8).map { "\($0.name) \(HTML.grouped($0.controlCharacters))" }.joined(
                        separator: ", ")
                    + (controlled.count > 8 ? ", …" : ""))
        }
        for sample in file.malformedSamples.prefix(5) {
            lines.append(
                "malformed: \(file.path):\(sample.line.map(String.init) ?? "?"): [\(sample.code)] \(sample.message)")
        }
        if file.malformedSamples.count > 5 { lines.append("… more malformed records in the reports.") }
        for warning in file.warnings.prefix(3) { lines.append("warning: \(HTML.visible(warning))") }
        if file.warnings.count > 3 { lines.append("… \(file.warnings.count - 3) more warnings in the reports.") }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ profile: ExtractProfile) -> String {
        let file = profile.file
        var md = "# Profile of `\(file.path)`\n\n"
        md += "| fact | value |\n|---|---|\n"
        md += "| format | \(file.format.rawValue) |\n| size | \(bytes(file.sizeBytes)) |\n"
        md +=
            "| encoding | \(file.encoding) (\(HTML.format(file.encodingConfidence * 100, digits: 0))%: \(cell(file.encodingReason))) |\n"
        if let delimiter = file.delimiter { md += "| delimiter | `\(delimiter)` |\n" }
        if let endings = file.lineEndings { md += "| line endings | \(endings) |\n" }
        if let path = file.recordPath { md += "| record path | `\(path)` |\n" }
        md += "| records | \(HTML.grouped(file.records)) |\n| malformed | \(HTML.grouped(file.malformedRecords)) |\n\n"
        if !file.malformedSamples.isEmpty {
            md += "## Malformed records\n\n"
            for sample in file.malformedSamples.prefix(20) {
                md += "- line \(sample.line.map(String.init) ?? "?"): [\(sample.code)] \(sample.message)\n"
            }
            md += "\n"
        }
        if !file.warnings.isEmpty {
            md += "## Warnings\n\n" + file.warnings.prefix(30).map { "- \($0)\n" }.joined() + "\n"
        }
        md += "## Fields\n\n| field | type | present | empty | distinct | misfit | length | top values | patterns |\n"
        md += "|---|---|---:|---:|---:|---:|---|---|---|\n"
        for field in profile.fieldsInReadingOrder {
            let top = field.topValues.prefix(3).map { "`\(cell(HTML.visible($0.value)))` (\($0.count))" }.joined(
                separator: ", ")
            let patterns = field.patterns.prefix(3).map { "`\(cell($0.value))` (\($0.count))" }.joined(separator: ", ")
            let length = field.minLength.map { "\($0)–\(field.maxLength ?? $0)" } ?? ""
            var type = field.typeLabel
            if let perParent = field.segmentsPerParent { type += ", " + perParent }
            if field.isCandidateKey { type += ", key" }
            if field.masked { type += ", masked" }
            md += "| `\(cell(field.name))` | \(type) | \(field.present) | \(field.empty + field.blank) | "
            md += "\(field.distinctIsEstimate ? "≈" : "")\(field.distinct) | "
            md +=
                "\(field.inferredType == .text ? "" : HTML.format(field.nonConformingShare * 100, digits: 1) + "%") | "
            md += "\(length) | \(top) | \(patterns) |\n"
        }
        return md
    }

    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "`", with: "'")
    }
}
