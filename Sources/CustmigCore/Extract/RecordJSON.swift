import Foundation

/// Renders records as JSON objects, keeping field order (for `peek`'s JSON Lines).
public enum RecordJSON {
    /// `{"KUNNR":"0000100001","E1KNVVM":[{…}]}`; with `withPosition`, wrapped with its source position
    /// and control fields: `{"position":{…},"control":{…},"fields":{…}}`.
    public static func render(_ record: Record, withPosition: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(256)
        if withPosition {
            let position = record.position
            out += "{\"position\":{\"file\":"
            appendString(position.file, to: &out)
            out += ",\"line\":\(position.line),\"byteOffset\":"
            out += position.byteOffset.map(String.init) ?? "null"
            out += ",\"index\":\(position.index)},\"control\":"
            appendFields(record.control, to: &out)
            out += ",\"fields\":"
            appendFields(record.fields, to: &out)
            out += "}"
        } else {
            appendFields(record.fields, to: &out)
        }
        return out
    }

    static func appendFields(_ fields: [Field], to out: inout String) {
        out += "{"
        for (index, field) in fields.enumerated() {
            if index > 0 { out += "," }
            appendString(field.name, to: &out)
            out += ":"
            switch field.value {
            case .text(let text):
                appendString(text, to: &out)
            case .list(let records):
                out += "["
                for (position, child) in records.enumerated() {
                    if position > 0 { out += "," }
                    appendFields(child.fields, to: &out)
                }
                out += "]"
            }
        }
        out += "}"
    }

    /// Appends a JSON string literal; control characters are escaped, everything else kept as is.
    public static func appendString(_ text: String, to out: inout String) {
        out += "\""
        var needsEscape = false
        for byte in text.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscape = true
            break
        }
        if !needsEscape {
            out += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
    }
}

extension RecordJSON {
    /// Reads back the fields `render` wrote (for staged rows); nested lists become child records.
    static func parseFields(_ text: String) -> [Field] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [] }
        return fields(object)
    }

    private static func fields(_ object: [String: Any]) -> [Field] {
        object.keys.sorted().map { name in
            if let list = object[name] as? [[String: Any]] {
                let position = SourcePosition(file: "", line: 0, byteOffset: nil, index: 0)
                return Field(name, .list(list.map { Record(fields: fields($0), position: position) }))
            }
            return Field(name, .text(object[name] as? String ?? ""))
        }
    }
}
