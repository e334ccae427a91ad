import GRDB
import GRDBSQLite

/// One INSERT statement for many rows (`VALUES (…), (…), …`): SQLite opens the table's and its
/// indexes' cursors once per statement, so a batch of new customers written 32 rows at a time costs
/// it about two thirds of what row-by-row statements do. Rows are written in the order given.
final class MultiRowInsert {
    private let db: Database
    private let prefix: String
    private let row: String
    private let suffix: String
    private var statements: [Int: RawStatement] = [:]

    /// Statement sizes, largest first: a count is written as 32-row statements, then the rest in
    /// binary (at most five more statements).
    static let sizes = [32, 16, 8, 4, 2, 1]

    /// `prefix` up to `VALUES`, `columns` values per row, `suffix` after the rows (an upsert clause).
    init(_ db: Database, prefix: String, columns: Int, suffix: String = "") {
        self.db = db
        self.prefix = prefix
        row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        self.suffix = suffix
    }

    /// Writes rows `0..<count`, `bind` binding row `index`'s values in column order. Returns the rows
    /// of each statement that changed fewer rows than it was given (an upsert suffix that skips a
    /// conflicting row), so that only those are looked at again.
    @discardableResult
    func run(count: Int, bind: (_ index: Int, inout RawStatement.Binder) -> Void) throws -> [Range<Int>] {
        var short: [Range<Int>] = []
        var start = 0
        while start < count {
            let size = Self.sizes.first { $0 <= count - start }!
            try statement(size).run { binder in
                for index in start..<(start + size) { bind(index, &binder) }
            }
            if sqlite3_changes(db.sqliteConnection) < size { short.append(start..<(start + size)) }
            start += size
        }
        return short
    }

    private func statement(_ size: Int) throws -> RawStatement {
        if let statement = statements[size] { return statement }
        let statement = try RawStatement(
            db, sql: prefix + " VALUES " + Array(repeating: row, count: size).joined(separator: ", ") + " " + suffix)
        statements[size] = statement
        return statement
    }
}
