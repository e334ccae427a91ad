/// Opens and creates targets from their locations: the one place that knows every kind.
public enum TargetRegistry {
    /// Opens an initialized target; refuses one without custmig's schema, naming the fix.
    public static func open(_ location: TargetLocation) throws -> any Target {
        switch location {
        case .sqlite(let path): return try SQLiteTarget(path: path)
        case .postgresql(let location): return try PostgreSQLTarget(location: location)
        case .memory(let name): return try InMemoryTarget.open(name: name)
        }
    }

    /// Opens the target a `--target` value (or a plan's recorded location) names.
    public static func open(_ text: String) throws -> any Target { try open(try TargetLocation(parsing: text)) }

    /// Creates custmig's business-partner schema with `codes` loaded: a new SQLite file, or an empty
    /// (or absent) schema of a PostgreSQL database.
    @discardableResult
    public static func initialize(_ location: TargetLocation, codes: CodeLists) throws -> any Target {
        switch location {
        case .sqlite(let path): return try SQLiteTarget.initialize(path: path, codes: codes)
        case .postgresql(let location): return try PostgreSQLTarget.initialize(location: location, codes: codes)
        case .memory(let name): return try InMemoryTarget.initialize(name: name, codes: codes)
        }
    }
}
