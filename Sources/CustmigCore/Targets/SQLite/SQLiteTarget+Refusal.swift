import GRDB

extension SQLiteTarget {
    /// What SQLite's extended result code says about a refused action (a check, a foreign key, a
    /// unique key, a busy database), with the error kept as the cause.
    static func refusal(_ error: DatabaseError, batch: Int, action: TargetAction) -> RefusedAction {
        let message = error.message ?? "\(error)"
        let kind: RefusalKind
        var field: String?
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_CHECK, .SQLITE_CONSTRAINT_NOTNULL:
            kind = .constraint
            field = checkedColumn(message)
        case .SQLITE_CONSTRAINT_FOREIGNKEY: kind = .reference
        case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY: kind = .duplicate
        default:
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: kind = .transient
            case .SQLITE_CONSTRAINT: kind = .constraint
            default: kind = .fatal
            }
        }
        return RefusedAction(
            batch: batch, canonicalKey: action.canonicalKey, customerId: action.customerId, message: message,
            kind: kind, field: field, cause: error)
    }

    /// The column a failed CHECK or NOT NULL constraint is about: SQLite names the check's expression
    /// (its first identifier is the column) or `table.column`.
    static func checkedColumn(_ message: String) -> String? {
        for marker in ["CHECK constraint failed: ", "NOT NULL constraint failed: "] {
            guard let range = message.range(of: marker) else { continue }
            var name = message[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
            if let dot = name.lastIndex(of: ".") { name = name[name.index(after: dot)...] }
            return name.isEmpty ? nil : String(name)
        }
        return nil
    }
}
