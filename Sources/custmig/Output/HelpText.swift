/// Help discussions are written in the source as lines of ~100 characters; swift-argument-parser wraps
/// them again at the terminal's width, which left every source line break as a ragged short line. Each
/// paragraph becomes one line here, for the parser to wrap; indented lines (examples) keep their own.
enum HelpText {
    static func flowing(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let continues = !line.isEmpty && !line.hasPrefix(" ") && !line.hasPrefix("- ")
            if continues, let last = lines.last, !last.isEmpty, !last.hasPrefix(" "), !last.hasSuffix(":") {
                lines[lines.count - 1] += " " + line
            } else {
                lines.append(String(line))
            }
        }
        return lines.joined(separator: "\n")
    }
}
