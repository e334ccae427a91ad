/// Small helpers for writing self-contained HTML (no external assets).
enum HTML {
    /// Every report names the custmig that wrote it (a report from another version can differ).
    static var colophon: String {
        "<footer><p class=\"muted\">written by custmig \(CustmigVersion.current)</p></footer>"
    }

    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" {
                    result += "␀"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// Makes invisible characters visible in values shown to people: `␣` for edge spaces, `∅` for empty.
    static func visible(_ value: String) -> String {
        if value.isEmpty { return "∅" }
        var text = value
        if text.first == " " || text.last == " " {
            let leading = text.prefix { $0 == " " }.count
            let trailing = text.reversed().prefix { $0 == " " }.count
            if leading == text.count { return String(repeating: "␣", count: leading) }
            text =
                String(repeating: "␣", count: leading) + text.dropFirst(leading).dropLast(trailing)
                + String(repeating: "␣", count: trailing)
        }
        return text
    }

    /// A horizontal bar chart as inline SVG: one labelled bar per item.
    static func barChart(_ items: [(label: String, count: Int)], total: Int, width: Int = 400) -> String {
        guard !items.isEmpty else { return "<p class=\"muted\">no values</p>" }
        let rowHeight = 18
        let labelWidth = 160
        let barSpace = width - labelWidth - 100
        let maximum = max(items.map(\.count).max() ?? 1, 1)
        var svg =
            "<svg class=\"chart\" role=\"img\" width=\"\(width)\" height=\"\(items.count * rowHeight + 4)\" "
            + "viewBox=\"0 0 \(width) \(items.count * rowHeight + 4)\">"
        for (index, item) in items.enumerated() {
            let y = index * rowHeight + 2
            let length = max(1, Int(Double(barSpace) * Double(item.count) / Double(maximum)))
            let share = total > 0 ? Double(item.count) * 100 / Double(total) : 0
            let label = item.label.count > 22 ? String(item.label.prefix(21)) + "…" : item.label
            svg += "<title>\(escape(item.label)): \(item.count)</title>"
            svg +=
                "<text x=\"\(labelWidth - 6)\" y=\"\(y + 13)\" text-anchor=\"end\" class=\"label\">\(escape(label))</text>"
            svg +=
                "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(length)\" height=\"\(rowHeight - 5)\" class=\"bar\"/>"
            svg +=
                "<text x=\"\(labelWidth + length + 4)\" y=\"\(y + 13)\" class=\"value\">\(item.count) (\(format(share, digits: 1))%)</text>"
        }
        return svg + "</svg>"
    }

    static func format(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if text.hasSuffix(".0") && digits == 0 { text.removeLast(2) }
        if let dot = text.firstIndex(of: "."), !text.contains("e") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(character)
        }
        return (value < 0 ? "-" : "") + result
    }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2433;background:#f5f6f8}
        header{background:#1d2b4f;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
        header .facts{display:flex;flex-wrap:wrap;gap:6px 22px;font-size:13px;opacity:.92}
        main{padding:18px 28px}.warnings{background:#fff4e0;border-left:4px solid #e59400;padding:10px 14px;margin:0 0 16px}
        .errors{background:#fde8e8;border-left:4px solid #c81e1e;padding:10px 14px;margin:0 0 16px}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(430px,1fr));gap:14px}
        .card{background:#fff;border:1px solid #dfe3ea;border-radius:8px;padding:12px 14px}
        .card h2{font-size:16px;margin:0 0 2px;font-family:ui-monospace,Menlo,Consolas,monospace}
        .type{display:inline-block;background:#e6eefc;color:#1d4ed8;border-radius:10px;padding:0 8px;font-size:12px}
        .key{background:#e3f7e8;color:#137333}.pii{background:#fdeaea;color:#b42318}
        table{border-collapse:collapse;width:100%;font-size:13px}td,th{padding:2px 6px;text-align:left;border-bottom:1px solid #eef0f4}
        th{font-weight:600;color:#4a5468}.num{text-align:right;font-variant-numeric:tabular-nums}
        .chart .bar{fill:#4f7cff}.chart .label{font-size:10.5px;fill:#333;font-family:ui-monospace,Menlo,Consolas,monospace}
        .chart .value{font-size:11px;fill:#555}.muted{color:#7a8496}h3{font-size:13px;margin:10px 0 4px;color:#4a5468}
        .bad{color:#b42318;font-weight:600}code{font-family:ui-monospace,Menlo,Consolas,monospace}
        """
}
