extension MapStage {
    /// Source fields a mapping reads from the primary record itself (not from `each:` lists, control
    /// records or joined files), with where the mapping names them.
    static func directSourceFields(_ spec: SectionMapping) -> [(name: String, location: SourceLocation)] {
        var result: [(String, SourceLocation)] = []
        func collect(_ source: ValueSource, _ location: SourceLocation) {
            switch source {
            case .field(let name) where !name.hasPrefix("control."): result.append((name, location))
            case .concat(let parts, _): for part in parts { collect(part, location) }
            case .split(let inner, _, _): collect(inner, location)
            default: break
            }
        }
        for field in spec.fields.values { collect(field.source, field.location) }
        for (_, children) in spec.lists {
            for child in children where child.each == nil { result += directSourceFields(child) }
        }
        return result
    }

    /// A mapping for CSV given an XML file (or the other way round) is refused with one message, not
    /// one per column the mapping reads.
    static func checkFormat(_ mapping: Mapping, extract path: String) throws {
        guard let declared = mapping.source.format, let actual = try? ExtractOpener.detectFormat(path: path),
            actual != declared
        else { return }
        throw MappingProblems(problems: [
            CustmigError(
                .usage, code: "MAP-FORMAT",
                "the mapping \(mapping.name) reads \(declared.rawValue.uppercased()) extracts, but \(path) is \(actual.rawValue.uppercased()).",
                at: SourceLocation(file: mapping.file),
                fix:
                    "use a mapping written for this file's format (Mappings/ has one per source system), or export the file as \(declared.rawValue.uppercased())."
            )
        ])
    }

    /// A CSV mapping that reads a column the extract does not have is refused before any record is
    /// mapped (otherwise every record would silently get an empty value).
    static func checkColumns(_ mapping: Mapping, extract path: String, columns: [String]) throws {
        guard mapping.source.files.isEmpty, !columns.isEmpty else { return }
        let known = Set(columns)
        if columns.count == 1, let delimiter = likelyDelimiter(in: columns[0], besides: mapping.source.delimiter) {
            // One column holding another delimiter: the file and the mapping disagree on it; one
            // message says so instead of one per column the mapping reads.
            let name = delimiter == UInt8(ascii: "\t") ? "tab" : String(UnicodeScalar(delimiter))
            let given = mapping.source.delimiter.map { $0 == UInt8(ascii: "\t") ? "tab" : "\"\(UnicodeScalar($0))\"" }
            throw MappingProblems(problems: [
                CustmigError(
                    .usage, code: "MAP-DELIMITER",
                    "the header of \(path) is one column (\"\(columns[0].prefix(60))…\") with the mapping's delimiter "
                        + "\(given ?? "(detected)"), and it holds \(name) characters: the file looks \(name)-separated.",
                    at: SourceLocation(file: mapping.file),
                    fix:
                        "set source.delimiter to \(name == "tab" ? "tab" : "\"\(name)\"") in a new mapping version, or export the file with \(given ?? "the mapping's delimiter")."
                )
            ])
        }
        var problems: [CustmigError] = []
        var seen = Set<String>()
        for (name, location) in directSourceFields(mapping.customer)
            + mapping.source.key.map({ ($0, SourceLocation(file: mapping.file)) })
        where !known.contains(name) && seen.insert(name).inserted {
            problems.append(
                CustmigError(
                    .usage, code: "MAP-COLUMN", "the mapping reads column \"\(name)\", which \(path) does not have.",
                    at: location, fix: Suggestion.fix(for: name, in: columns, what: "columns of the extract")))
        }
        if !problems.isEmpty { throw MappingProblems(problems: problems) }
    }

    /// The delimiter a one-column header seems to use instead of the mapping's.
    static func likelyDelimiter(in header: String, besides given: UInt8?) -> UInt8? {
        let candidates: [UInt8] = [UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "|")]
        return candidates.filter { $0 != given }.max { a, b in
            header.utf8.lazy.filter { $0 == a }.count < header.utf8.lazy.filter { $0 == b }.count
        }.flatMap { candidate in header.utf8.contains(candidate) ? candidate : nil }
    }
}
