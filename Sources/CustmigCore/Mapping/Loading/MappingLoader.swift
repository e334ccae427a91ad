import Foundation
import Yams

/// Loads and checks a mapping file completely before any data is read.
///
/// Every problem is collected with its YAML line and column and a fix ("did you mean …") and thrown
/// together as ``MappingProblems``: unknown keys, canonical fields and transforms, type mismatches,
/// undeclared or unreadable value maps, malformed rules, a missing key. (The language has no way to
/// make a field depend on another canonical field, so it cannot have cycles.)
public enum MappingLoader {
    static let topLevelKeys = [
        "name", "version", "description", "source", "customer", "value_maps", "rules", "ownership",
        "reject_threshold", "missing_reference", "duplicates", "load",
    ]

    public static func load(path: String) throws -> Mapping {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CustmigError(
                .usage, code: "MAP-FILE", "cannot read the mapping \"\(path)\".",
                fix: "check the path; shipped mappings are in Mappings/.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let offset = data.withUnsafeBytes { raw in
                raw.bindMemory(to: UInt8.self).baseAddress.flatMap { UTF8Validator.firstInvalid($0, data.count) }
            }
            throw CustmigError(
                .usage, code: "MAP-FILE",
                "the mapping \"\(path)\" is not UTF-8 text\(offset.map { " (an invalid byte at offset \($0))" } ?? "").",
                fix: "save it as UTF-8 (YAML files are UTF-8), or check that the path names the mapping file.")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> Mapping {
        let reader = YAMLReader(file: file)
        guard let root = try YAMLDocument.compose(text, file: file) else {
            throw CustmigError(
                .usage, code: "MAP-EMPTY", "the mapping \(file) is empty.", at: SourceLocation(file: file))
        }
        var values: [String: Node] = [:]
        for pair in reader.pairs(root, allowed: topLevelKeys, context: "the mapping") { values[pair.key] = pair.value }

        let name = values["name"].flatMap { reader.string($0, context: "name") }
        if name == nil {
            reader.problem(root, "MAP-REQUIRED", "the mapping has no name.", fix: "add name: a-short-name.")
        }
        let version = values["version"].flatMap { reader.int($0, context: "version", in: 1...Int.max) }
        if values["version"] == nil {
            reader.problem(root, "MAP-REQUIRED", "the mapping has no version.", fix: "add version: 1 (an integer).")
        }
        let folder = (file as NSString).deletingLastPathComponent
        let valueMaps =
            values["value_maps"].map { ValueMapReader(reader: reader, folder: folder.isEmpty ? "." : folder).read($0) }
            ?? [:]
        let source = values["source"].map { readSource($0, reader: reader) }
        if values["source"] == nil {
            reader.problem(
                root, "MAP-REQUIRED", "the mapping has no source section.", fix: "add source: {key: KEY_FIELD}.")
        }
        var customer: SectionMapping?
        if let node = values["customer"] {
            customer = SectionReader(reader: reader, valueMapNames: Set(valueMaps.keys)).read(
                node, section: .customer, path: "customer")
            if customer?.fields["key"] == nil {
                reader.problem(node, "MAP-REQUIRED", "customer does not map key.", fix: "add key: {from: KEY_FIELD}.")
            }
        } else {
            reader.problem(root, "MAP-REQUIRED", "the mapping has no customer section.")
        }
        let rules = values["rules"].map { RuleReader(reader: reader).read($0) } ?? []
        var targetOwned = Set<String>()
        if let ownership = values["ownership"] {
            for pair in reader.pairs(ownership, allowed: ["target", "legacy"], context: "ownership") {
                for field in reader.strings(pair.value, context: "ownership.\(pair.key)") ?? [] {
                    if !RuleReader.knownPaths.contains(field) {
                        reader.problem(
                            pair.value, "MAP-OWNERSHIP",
                            "ownership names \"\(field)\", which is not a canonical field.",
                            fix: Suggestion.fix(for: field, in: RuleReader.knownPaths, what: "canonical fields"))
                    } else if pair.key == "target" {
                        targetOwned.insert(field)
                    }
                }
            }
        }
        var threshold = RejectThreshold(count: nil, share: nil)
        if let node = values["reject_threshold"] {
            for pair in reader.pairs(node, allowed: ["count", "share"], context: "reject_threshold") {
                if pair.key == "count" {
                    threshold.count = reader.int(pair.value, context: "reject_threshold.count", in: 0...Int.max)
                } else if let text = reader.string(pair.value, context: "share"), let share = Double(text),
                    (0...1).contains(share)
                {
                    threshold.share = share
                } else {
                    reader.problem(pair.value, "MAP-TYPE", "reject_threshold.share must be a share between 0 and 1.")
                }
            }
        }
        var missingReference = MappingRule.Severity.review
        if let node = values["missing_reference"], let text = reader.string(node, context: "missing_reference") {
            if let severity = MappingRule.Severity(rawValue: text) {
                missingReference = severity
            } else {
                reader.problem(node, "MAP-TYPE", "missing_reference must be review or reject, not \"\(text)\".")
            }
        }
        let duplicates = values["duplicates"].map { DuplicateSettings.read($0, reader: reader) } ?? DuplicateSettings()
        var load = values["load"].map { LoadSettings.read($0, reader: reader) } ?? LoadSettings()
        load.targetOwned = targetOwned
        var stewardProblems: [CustmigError] = []
        let stewardFolder = folder.isEmpty ? "." : folder
        let corrections = StewardFileReader.corrections(folder: stewardFolder, problems: &stewardProblems)
        let decisions = StewardFileReader.decisions(folder: stewardFolder, problems: &stewardProblems)
        guard reader.problems.isEmpty, stewardProblems.isEmpty, let name, let version, let source, let customer else {
            throw MappingProblems(problems: reader.problems + stewardProblems)
        }
        var mapping = Mapping(
            name: name, version: version,
            description: values["description"].flatMap { reader.string($0, context: "description") },
            source: source, customer: customer, valueMaps: valueMaps, rules: rules, targetOwned: targetOwned,
            rejectThreshold: threshold, file: file)
        mapping.missingReference = missingReference
        mapping.load = load
        mapping.duplicates = duplicates
        mapping.corrections = Dictionary(grouping: corrections, by: \.legacyKey)
        mapping.decisions = Dictionary(grouping: decisions, by: \.legacyKey)
        return mapping
    }

    /// Only the `load` and `ownership` sections of a mapping text (as the ledger keeps each version
    /// used): what the dry run needs, without the value-map files beside the mapping.
    public static func loadSettings(_ text: String, file: String) throws -> LoadSettings {
        let reader = YAMLReader(file: file)
        guard let root = try YAMLDocument.compose(text, file: file) else {
            throw CustmigError(
                .usage, code: "MAP-EMPTY", "the mapping \(file) is empty.", at: SourceLocation(file: file))
        }
        var settings = LoadSettings()
        for pair in reader.pairs(root, allowed: nil, context: "the mapping") {
            if pair.key == "load" {
                let owned = settings.targetOwned
                settings = LoadSettings.read(pair.value, reader: reader)
                settings.targetOwned = owned
            } else if pair.key == "ownership" {
                for item in reader.pairs(pair.value, allowed: nil, context: "ownership") where item.key == "target" {
                    settings.targetOwned.formUnion(reader.strings(item.value, context: "ownership.target") ?? [])
                }
            }
        }
        guard reader.problems.isEmpty else { throw MappingProblems(problems: reader.problems) }
        return settings
    }

    /// Only the `duplicates` section of a mapping text (a file given to `custmig duplicates`, or the
    /// version the ledger kept for the map run).
    public static func duplicateSettings(_ text: String, file: String) throws -> DuplicateSettings {
        let reader = YAMLReader(file: file)
        guard let root = try YAMLDocument.compose(text, file: file) else {
            throw CustmigError(
                .usage, code: "MAP-EMPTY", "the mapping \(file) is empty.", at: SourceLocation(file: file))
        }
        var settings = DuplicateSettings()
        for pair in reader.pairs(root, allowed: nil, context: "the mapping") where pair.key == "duplicates" {
            settings = DuplicateSettings.read(pair.value, reader: reader)
        }
        guard reader.problems.isEmpty else { throw MappingProblems(problems: reader.problems) }
        return settings
    }

    /// `files: [{name: KNA1, match: "*KNA1*", primary: true}, {name: KNVV, match: "*KNVV*", key: KUNNR}]`
    private static func readFiles(_ node: Node, reader: YAMLReader) -> [SourceFile] {
        guard case .sequence(let items) = node else {
            reader.problem(node, "MAP-SOURCE", "source.files must be a list of files.")
            return []
        }
        var files: [SourceFile] = []
        for item in items {
            var name: String?
            var match: String?
            var primary = false
            var key: [String] = []
            for pair in reader.pairs(item, allowed: ["name", "match", "primary", "key"], context: "a source file") {
                switch pair.key {
                case "name": name = reader.string(pair.value, context: "name")
                case "match": match = reader.string(pair.value, context: "match")
                case "primary": primary = reader.string(pair.value, context: "primary") == "true"
                default: key = reader.strings(pair.value, context: "key") ?? []
                }
            }
            guard let name, let match else {
                reader.problem(item, "MAP-SOURCE", "a source file needs name: and match: (a file-name pattern).")
                continue
            }
            if !primary && key.isEmpty {
                reader.problem(
                    item, "MAP-SOURCE", "source file \(name) needs key: (its field holding the primary's key).")
            }
            files.append(SourceFile(name: name, match: match, isPrimary: primary, key: key))
        }
        if !files.isEmpty && files.filter(\.isPrimary).count != 1 {
            reader.problem(node, "MAP-SOURCE", "source.files needs exactly one file with primary: true.")
        }
        return files
    }

    private static func readSource(_ node: Node, reader: YAMLReader) -> MappingSource {
        var source = MappingSource(format: nil, encoding: nil, delimiter: nil, recordPath: nil, key: [], sameKey: .last)
        let allowed = [
            "format", "encoding", "delimiter", "header", "skip_lines", "record_path", "key", "same_key", "files",
        ]
        for pair in reader.pairs(node, allowed: allowed, context: "source") {
            switch pair.key {
            case "format":
                guard let text = reader.string(pair.value, context: "format") else { continue }
                source.format = ExtractFormat(rawValue: text)
                if source.format == nil {
                    reader.problem(pair.value, "MAP-SOURCE", "format must be csv or xml, not \"\(text)\".")
                }
            case "encoding":
                guard let text = reader.string(pair.value, context: "encoding") else { continue }
                source.encoding = TextEncoding(name: text)
                if source.encoding == nil {
                    reader.problem(
                        pair.value, "MAP-SOURCE", "unknown encoding \"\(text)\".",
                        fix: "use one of \(TextEncoding.acceptedNames).")
                }
            case "delimiter":
                guard let text = reader.string(pair.value, context: "delimiter") else { continue }
                source.delimiter = CSVDialect.parseDelimiter(text)
                if source.delimiter == nil {
                    reader.problem(pair.value, "MAP-SOURCE", "delimiter must be one character or tab.")
                }
            case "record_path":
                source.recordPath = reader.string(pair.value, context: "record_path")
            case "header":
                guard let text = reader.string(pair.value, context: "header") else { continue }
                guard text == "true" || text == "false" else {
                    reader.problem(pair.value, "MAP-SOURCE", "header must be true or false, not \"\(text)\".")
                    continue
                }
                source.hasHeader = text == "true"
            case "skip_lines":
                source.skipLines = reader.int(pair.value, context: "skip_lines", in: 0...1000) ?? 0
            case "key":
                source.key = reader.strings(pair.value, context: "key") ?? []
            case "files":
                source.files = readFiles(pair.value, reader: reader)
            default:
                guard let text = reader.string(pair.value, context: "same_key") else { continue }
                if text == "first" {
                    source.sameKey = .first
                } else if text == "last" {
                    source.sameKey = .last
                } else if text.hasPrefix("highest:") {
                    source.sameKey = .highest(String(text.dropFirst(8)).trimmingCharacters(in: .whitespaces))
                } else {
                    reader.problem(
                        pair.value, "MAP-SOURCE", "same_key must be first, last or highest:FIELD, not \"\(text)\".")
                }
            }
        }
        if source.key.isEmpty {
            reader.problem(node, "MAP-REQUIRED", "source names no key field.", fix: "add key: KEY_FIELD (e.g. KUNNR).")
        }
        return source
    }
}
