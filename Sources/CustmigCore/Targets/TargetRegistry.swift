/// Opens and creates targets from their locations: the one place that knows every kind.
public enum TargetRegistry {
    /// Opens an initialized target; refuses one without custmig's schema, naming the fix. A target
    /// that keeps custmig's journal in the workspace (Tryton) needs `workspace`.
    public static func open(
        _ location: TargetLocation, workspace: String? = nil, calls: APICallSettings = APICallSettings()
    ) throws -> any Target {
        switch location {
        case .tryton(let location):
            guard let workspace else {
                throw CustmigError(
                    .usage, code: "TARGET-WORKSPACE",
                    "\(location.description) keeps custmig's load journal in the workspace, and none was given.",
                    fix: "run the command with --workspace DIR.")
            }
            return try TrytonTarget(location: location, workspace: workspace, calls: calls)
        case .sqlite(let path): return try SQLiteTarget(path: path)
        case .postgresql(let location): return try PostgreSQLTarget(location: location)
        case .memory(let name): return try InMemoryTarget.open(name: name)
        }
    }

    /// Opens the target a `--target` value (or a plan's recorded location) names.
    public static func open(
        _ text: String, workspace: String? = nil, calls: APICallSettings = APICallSettings()
    ) throws -> any Target {
        try open(try TargetLocation(parsing: text), workspace: workspace, calls: calls)
    }

    /// Creates custmig's business-partner schema with `codes` loaded: a new SQLite file, or an empty
    /// (or absent) schema of a PostgreSQL database.
    @discardableResult
    public static func initialize(_ location: TargetLocation, codes: CodeLists) throws -> any Target {
        switch location {
        case .sqlite(let path): return try SQLiteTarget.initialize(path: path, codes: codes)
        case .postgresql(let location): return try PostgreSQLTarget.initialize(location: location, codes: codes)
        case .memory(let name): return try InMemoryTarget.initialize(name: name, codes: codes)
        case .tryton(let location):
            throw CustmigError(
                .usage, code: "TARGET-INIT",
                "\(location.description) is an ERP that exists: custmig does not create it.",
                fix:
                    "check what it offers with custmig target check \(location.description) --workspace DIR; its code lists come from it."
            )
        }
    }
}
