import Foundation

/// Where a target is: `sqlite:PATH` or `postgresql://USER@HOST:PORT/DB?schema=NAME`. Relative SQLite
/// paths resolve against the current directory. A password written into a PostgreSQL URI is used to
/// connect but never printed, stored in a plan or written to a report (``description`` leaves it out):
/// give it through `PGPASSWORD` or `~/.pgpass` instead, as psql takes it.
public enum TargetLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgresql(PostgreSQLLocation)
    /// `memory:NAME`: an in-memory target of this process (tests).
    case memory(name: String)
    /// `tryton://USER@HOST:PORT/DB?company=ID`: a Tryton ERP over JSON-RPC.
    case tryton(TrytonLocation)

    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw CustmigError(
                .usage, code: "TARGET-URL", "\"\(text)\" does not name a target kind.",
                fix: "write sqlite:PATH, postgresql://USER@HOST:PORT/DB?schema=NAME or tryton://USER@HOST:PORT/DB?company=ID, e.g. --target sqlite:sandbox.db."
            )
        }
        let kind = text[..<colon].lowercased()
        let rest = String(text[text.index(after: colon)...])
        switch kind {
        case "sqlite":
            guard !rest.isEmpty else {
                throw CustmigError(.usage, code: "TARGET-URL", "\"\(text)\" has no path.", fix: "write sqlite:PATH.")
            }
            let path = rest.hasPrefix("/") ? rest : FileManager.default.currentDirectoryPath + "/" + rest
            self = .sqlite(path: (path as NSString).standardizingPath)
        case "postgresql", "postgres":
            self = .postgresql(try PostgreSQLLocation(uri: text))
        case "tryton", "trytons":
            self = .tryton(try TrytonLocation(uri: text))
        case "memory":
            guard !rest.isEmpty else {
                throw CustmigError(.usage, code: "TARGET-URL", "\"\(text)\" has no name.", fix: "write memory:NAME.")
            }
            self = .memory(name: rest)
        default:
            throw CustmigError(
                .usage, code: "TARGET-KIND", "unknown target kind \"\(kind)\" in \"\(text)\".",
                fix: "custmig supports sqlite:PATH, postgresql://USER@HOST:PORT/DB?schema=NAME and tryton://USER@HOST:PORT/DB?company=ID.")
        }
    }

    /// The location as plans, reports and printed lines show it: never with a password.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgresql(let location): return location.redacted
        case .memory(let name): return "memory:\(name)"
        case .tryton(let location): return location.description
        }
    }

    public var redacted: String { description }

    /// `text` with the password of any `scheme://user:password@` in it blanked (`***`).
    public static func withoutPassword(_ text: String) -> String { PostgreSQLLocation.withoutPassword(text) }
}

/// A libpq connection URI split into what libpq reads (everything but `schema`) and custmig's schema.
public struct PostgreSQLLocation: Sendable, Hashable {
    /// The URI libpq connects with (password included when one was written in it).
    public var connectionURI: String
    /// The schema custmig's tables live in (`public` by default).
    public var schema: String
    /// The URI without password, with `schema`: what custmig prints and stores.
    public var redacted: String

    public init(uri text: String) throws {
        guard var parts = URLComponents(string: text), parts.scheme == "postgresql" || parts.scheme == "postgres"
        else {
            throw CustmigError(
                .usage, code: "TARGET-URL", "\"\(Self.withoutPassword(text))\" is not a PostgreSQL URI.",
                fix:
                    "write postgresql://USER@HOST:PORT/DB?schema=NAME (libpq's URI; PG* variables fill what is left out)."
            )
        }
        var items = parts.queryItems ?? []
        let schema = items.first(where: { $0.name == "schema" })?.value ?? "public"
        guard !schema.isEmpty, schema.utf8.count <= 63,
            schema.utf8.allSatisfy({
                $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0)
            }),
            !(0x30...0x39).contains(schema.utf8.first!)
        else {
            throw CustmigError(
                .usage, code: "TARGET-SCHEMA",
                "schema \"\(schema)\" in the PostgreSQL URI is not a plain lower-case name.",
                fix: "use letters a-z, digits and _ (not first), at most 63 characters, e.g. ?schema=custmig_wave1.")
        }
        items.removeAll { $0.name == "schema" }
        parts.queryItems = items.isEmpty ? nil : items
        connectionURI = parts.string ?? text
        self.schema = schema
        var shown = parts
        shown.password = nil
        shown.queryItems = items + [URLQueryItem(name: "schema", value: schema)]
        redacted = shown.string ?? Self.withoutPassword(text)
    }

    /// `text` with anything between `:` and `@` of the authority blanked, for error messages.
    static func withoutPassword(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"),
            let colon = rest[..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
