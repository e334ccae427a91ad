import CustmigCore
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Tryton server the tests use (`.ci/tryton.sh` starts one and exports its location), and the
/// tests' own JSON-RPC calls: how a test stands for a person editing parties in Tryton.
enum TrytonServer {
    static var uri: String? { ProcessInfo.processInfo.environment["CUSTMIG_TEST_TRYTON"] }
    static var password: String {
        ProcessInfo.processInfo.environment["CUSTMIG_TRYTON_PASSWORD"] ?? "custmig-tryton-secret"
    }

    /// Whether the Tryton tests run: with a server, or when CI requires one (a missing server then fails
    /// them). Without one, locally, the reason is printed once.
    static let enabled: Bool = {
        if uri != nil || ProcessInfo.processInfo.environment["CUSTMIG_REQUIRE_TRYTON"] == "1" {
            // The children custmig runs (kill loops included) read the password from here.
            setenv("CUSTMIG_TARGET_PASSWORD", password, 1)
            return true
        }
        print(
            "note: the Tryton target's tests are skipped: no server (set CUSTMIG_TEST_TRYTON, e.g. `source .ci/tryton.sh`)."
        )
        return false
    }()

    static func location() throws -> String {
        guard let uri else {
            throw CustmigError(
                .usage, code: "TEST-TRYTON", "CUSTMIG_REQUIRE_TRYTON=1 but CUSTMIG_TEST_TRYTON is not set.",
                fix: "source .ci/tryton.sh before swift test.")
        }
        return uri
    }

    nonisolated(unsafe) private static var session: String?

    /// `model.MODEL.METHOD(params..., context)` on the test server.
    @discardableResult
    static func call(_ model: String, _ method: String, _ params: [Any], context: [String: Any] = [:]) throws -> Any {
        guard case .tryton(let location) = try TargetLocation(parsing: try Self.location()) else {
            throw CustmigError(.usage, code: "TEST-TRYTON", "not a Tryton URI", fix: "")
        }
        let endpoint = URL(string: "http://\(location.host):\(location.port)/\(location.database)/rpc/")!
        func post(_ body: [String: Any], auth: String?) throws -> [String: Any] {
            var request = URLRequest(url: endpoint)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            if let auth { request.setValue("Session " + auth, forHTTPHeaderField: "Authorization") }
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var result: Data?
            URLSession.shared.dataTask(with: request) { data, _, _ in
                result = data
                done.signal()
            }.resume()
            done.wait()
            let object = try JSONSerialization.jsonObject(with: result ?? Data()) as? [String: Any] ?? [:]
            if let error = object["error"], !(error is NSNull) {
                throw CustmigError(.usage, code: "TEST-TRYTON", "\(model).\(method): \(error)", fix: "")
            }
            return object
        }
        if session == nil {
            let login = try post(
                ["id": 1, "method": "common.db.login", "params": [location.user, ["password": password], "en"]],
                auth: nil)
            let parts = login["result"] as? [Any] ?? []
            session = Data("\(location.user):\(parts[0]):\(parts[1] as? String ?? "")".utf8).base64EncodedString()
        }
        var context = context
        context["company"] = location.company
        return try post(["id": 2, "method": "model.\(model).\(method)", "params": params + [context]], auth: session)[
            "result"] ?? NSNull()
    }

    /// Every party but the company's, as code -> (id, name, active).
    static func parties() throws -> [String: (id: Int, name: String, active: Bool)] {
        let rows =
            try call(
                "party.party", "search_read",
                [[["code", "!=", "1000"]], 0, NSNull(), NSNull(), ["code", "name", "active"]],
                context: ["active_test": false]) as? [[String: Any]] ?? []
        var result: [String: (id: Int, name: String, active: Bool)] = [:]
        for row in rows {
            let active = (row["active"] as? Bool) ?? ((row["active"] as? NSNumber)?.intValue ?? 1 != 0)
            result[row["code"] as? String ?? ""] = (
                (row["id"] as? NSNumber)?.intValue ?? 0, row["name"] as? String ?? "", active
            )
        }
        return result
    }

    /// Deletes every party but the company's, and every bank account: each test starts from the
    /// freshly set-up database.
    static func reset() throws {
        let ids = try parties().values.map(\.id)
        if !ids.isEmpty { try call("party.party", "delete", [ids]) }
        let accounts = try call("bank.account", "search", [[]]) as? [Any] ?? []
        if !accounts.isEmpty { try call("bank.account", "delete", [accounts]) }
    }
}
