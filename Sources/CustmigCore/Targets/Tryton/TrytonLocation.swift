import Foundation

/// A Tryton server's database as custmig reaches it: `tryton://USER@HOST:PORT/DB?company=ID` (http)
/// or `trytons://…` (https). The password never appears in the URI: it comes from
/// `CUSTMIG_TARGET_PASSWORD` or a file (`--password-file`), so nothing custmig prints or stores can hold it.
public struct TrytonLocation: Sendable, Hashable {
    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    /// The company whose company-dependent fields (receivable account, payment term) custmig writes.
    public var company: Int
    public var https: Bool

    public init(uri text: String) throws {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
            scheme == "tryton" || scheme == "trytons", let host = parts.host, !host.isEmpty
        else {
            throw CustmigError(
                .usage, code: "TARGET-URL", "\"\(TargetLocation.withoutPassword(text))\" is not a Tryton URI.",
                fix: "write tryton://USER@HOST:PORT/DBNAME?company=ID (trytons:// for https).")
        }
        if parts.password != nil {
            throw CustmigError(
                .usage, code: "TARGET-PASSWORD-IN-URI",
                "\(TargetLocation.withoutPassword(text)) carries a password; custmig keeps passwords out of URIs (they end up in shell histories and plans).",
                fix: "remove it from the URI and set CUSTMIG_TARGET_PASSWORD or pass --password-file FILE.")
        }
        let database = parts.path.split(separator: "/").first.map(String.init) ?? ""
        guard !database.isEmpty, !parts.path.dropFirst().contains("/") else {
            throw CustmigError(
                .usage, code: "TARGET-URL", "\(text) names no database (or more than one path part).",
                fix: "write the database as the path: tryton://admin@127.0.0.1:8000/erp?company=1.")
        }
        let companyText = parts.queryItems?.first(where: { $0.name == "company" })?.value ?? "1"
        guard let company = Int(companyText), company > 0 else {
            throw CustmigError(
                .usage, code: "TARGET-URL", "company \"\(companyText)\" in \(text) is not a Tryton record id.",
                fix: "give the id of the company.company record, e.g. ?company=1 (custmig target check lists them).")
        }
        let unknown = (parts.queryItems ?? []).map(\.name).filter { $0 != "company" }
        guard unknown.isEmpty else {
            throw CustmigError(
                .usage, code: "TARGET-URL", "unknown parameter \(unknown.joined(separator: ", ")) in \(text).",
                fix: "a Tryton URI takes ?company=ID only.")
        }
        user = parts.user.flatMap { $0.removingPercentEncoding } ?? "admin"
        self.host = host
        https = scheme == "trytons"
        port = parts.port ?? (https ? 443 : 8000)
        self.database = database
        self.company = company
    }

    /// The URI as custmig prints and stores it (it never holds a password).
    public var description: String {
        "\(https ? "trytons" : "tryton")://\(user)@\(host):\(port)/\(database)?company=\(company)"
    }

    /// The JSON-RPC endpoint.
    var endpoint: URL {
        URL(string: "\(https ? "https" : "http")://\(host):\(port)/\(database)/rpc/")!
    }

    /// A file name for this database's load journal in a workspace.
    var journalFileName: String {
        let safe = "\(host)-\(port)-\(database)-company\(company)".map {
            $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_"
        }
        return "tryton-" + String(safe) + ".sqlite"
    }
}

/// Where a target's password comes from when its URI cannot carry one.
public enum TargetPassword {
    /// The environment variable custmig reads a target's password from.
    public static let variable = "CUSTMIG_TARGET_PASSWORD"

    /// A password file's first line (set by `--password-file`; it wins over the variable).
    nonisolated(unsafe) public static var file: String?

    static func read(for location: String) throws -> String {
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CustmigError(
                    .unreadableInput, code: "TARGET-PASSWORD-FILE", "cannot read the password file \(file).",
                    fix: "check the path and its permissions (one line: the password).")
            }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
        throw CustmigError(
            .usage, code: "TARGET-PASSWORD", "no password for \(location).",
            fix: "set \(variable) or pass --password-file FILE (a file whose first line is the password).")
    }
}
