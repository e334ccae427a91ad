import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// How often and how long a call is retried when the server is unavailable (a dropped connection, a
/// timeout, HTTP 5xx or 429): exponential backoff with full jitter, then the cutover stops cleanly.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    public init(attempts: Int = 8, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.attempts = attempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The pause before retry number `retry` (1-based): a random time up to base * 2^(retry-1), capped.
    func delay(retry: Int) -> Double {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(retry - 1)))
        return Double.random(in: (ceiling / 2)...ceiling)
    }
}

/// How a run calls a target reached over its API: a ceiling on calls, retries, and how long a call may
/// take. Given when the target is opened, so the first call (the login) already follows them.
public struct APICallSettings: Sendable {
    public var maxCallsPerSecond: Double?
    public var retry = RetryPolicy()
    public var callTimeout: Double = 120
    /// Calls a cutover keeps in flight at once, each on its own session (1: one after another).
    public var connections = 1
    /// Customers per create or write call (Tryton runs each call as one transaction).
    public var callSize = 100
    public init() {}
}

/// The ceiling on calls per second, shared by every connection of a run: parallel calls do not raise it.
final class CallPacer: Sendable {
    private let interval: Double?
    private let next = Mutex(Date.distantPast)

    init(maxCallsPerSecond: Double?) {
        interval = maxCallsPerSecond.flatMap { $0 > 0 ? 1 / $0 : nil }
    }

    /// Waits for this call's slot: the slots are handed out one interval apart, in the order asked.
    func wait() {
        guard let interval else { return }
        let slot = next.withLock { next in
            let slot = max(Date(), next)
            next = slot.addingTimeInterval(interval)
            return slot
        }
        let wait = slot.timeIntervalSinceNow
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }
}

/// What the client did: shown in the cutover's progress and summary.
public struct CallStatistics: Sendable {
    public var calls = 0
    public var retries = 0
    public var seconds = 0.0
}

/// A JSON-RPC 2.0-ish client for trytond: one session, calls with the session header, retries with
/// backoff on transient failures, a ceiling on calls per second, and a new login when the session expires.
final class JSONRPCClient {
    let location: TrytonLocation
    private let password: String
    private var session: URLSession
    private var authorization: String?
    private var nextId = 0
    var retry: RetryPolicy
    /// At most so many calls start per second, across this client and its siblings.
    private let pacer: CallPacer
    private let settings: APICallSettings
    private(set) var statistics = CallStatistics()
    /// Whether the last call needed more than one attempt: only then can an earlier attempt have
    /// landed without its answer.
    private(set) var lastCallRetried = false
    /// Seconds a call may take before it counts as timed out and is retried (a create of 100 parties
    /// takes ~2-3 s, of 1,000 ~25 s). An answer lost on the way costs this long.
    let timeout: Double

    init(
        location: TrytonLocation, password: String, settings: APICallSettings = APICallSettings(),
        pacer: CallPacer? = nil
    ) {
        self.location = location
        self.password = password
        self.settings = settings
        self.pacer = pacer ?? CallPacer(maxCallsPerSecond: settings.maxCallsPerSecond)
        retry = settings.retry
        timeout = settings.callTimeout
        session = Self.makeSession(timeout: settings.callTimeout)
    }

    /// Another connection to the same server with its own session (it logs in at its first call),
    /// sharing this one's ceiling on calls per second: one per parallel call.
    func sibling() -> JSONRPCClient {
        JSONRPCClient(location: location, password: password, settings: settings, pacer: pacer)
    }

    private static func makeSession(timeout: Double) -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = 4
        return URLSession(configuration: configuration)
    }

    deinit { session.invalidateAndCancel() }

    /// Logs in (again); a wrong password is not retried.
    func login() throws {
        let result = try send(
            method: "common.db.login", params: [location.user, ["password": password], "en"], authorized: false)
        guard let parts = result as? [Any], parts.count >= 2, let uid = (parts[0] as? NSNumber)?.intValue,
            let token = parts[1] as? String
        else {
            throw TrytonError.protocolViolation("common.db.login answered \(String(describing: result).prefix(200))")
        }
        let credentials = Data("\(location.user):\(uid):\(token)".utf8).base64EncodedString()
        authorization = "Session " + credentials
    }

    /// Calls `model.MODEL.METHOD` with `params` and the company's context appended.
    func call(_ model: String, _ method: String, _ params: [Any], context: [String: Any] = [:]) throws -> Any {
        if authorization == nil { try login() }
        var context = context
        context["company"] = location.company
        context["language"] = "en"
        let method = "model.\(model).\(method)"
        do {
            return try send(method: method, params: params + [context], authorized: true)
        } catch TrytonError.login {
            // The session expired (idle timeout, server restart): log in once more and repeat.
            try login()
            return try send(method: method, params: params + [context], authorized: true)
        }
    }

    private func send(method: String, params: [Any], authorized: Bool) throws -> Any {
        nextId += 1
        // Keys in a fixed order: the same call is the same bytes, and trytond creates parties faster from
        // sorted values than from a dictionary's random order (measured here: 14-15 s instead of 17-18 s
        // for 2,085 parties; it was custmig's largest gap to a minimal client).
        let body = try JSONSerialization.data(
            withJSONObject: ["id": nextId, "method": method, "params": params], options: [.sortedKeys])
        var attempt = 0
        lastCallRetried = false
        defer { lastCallRetried = attempt > 1 }
        while true {
            attempt += 1
            pacer.wait()
            let started = Date()
            let outcome = exchange(body: body, authorized: authorized)
            statistics.calls += 1
            statistics.seconds += Date().timeIntervalSince(started)
            switch outcome {
            case .success(let result): return result
            case .failure(let error):
                guard case .unavailable = error, attempt < retry.attempts else { throw error }
                statistics.retries += 1
                Thread.sleep(forTimeInterval: retry.delay(retry: attempt))
            }
        }
    }

    private func exchange(body: Data, authorized: Bool) -> Result<Any, TrytonError> {
        let answered =
            location.endpoint.scheme == "http" ? plainExchange(body, authorized) : sessionExchange(body, authorized)
        let status: Int
        let data: Data
        switch answered {
        case .success(let answer): (status, data) = (answer.status, answer.body)
        case .failure(let failure):
            return .failure(.unavailable("\(location.endpoint.absoluteString): \(failure.reason)"))
        }
        switch status {
        case 200: break
        case 401, 403:
            return .failure(.login("HTTP \(status) for user \(location.user) on \(location.description)"))
        case 429, 500...599:
            return .failure(.unavailable("HTTP \(status) from \(location.endpoint.absoluteString)"))
        default:
            return .failure(
                .protocolViolation(
                    "HTTP \(status) from \(location.endpoint.absoluteString) (is the database name right?)"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any]
        else { return .failure(.protocolViolation("not JSON: \(String(decoding: data.prefix(200), as: UTF8.self))")) }
        if let error = object["error"], !(error is NSNull) {
            return .failure(Self.refusal(error))
        }
        return .success(object["result"] ?? NSNull())
    }

    /// Over a plain connection of its own (one per call, as with URLSession below).
    private func plainExchange(_ body: Data, _ authorized: Bool) -> Result<PlainHTTP.Answer, PlainHTTP.Failure> {
        var headers = [("Content-Type", "application/json"), ("Connection", "close"), ("Accept-Encoding", "gzip")]
        if authorized, let authorization { headers.append(("Authorization", authorization)) }
        let answer = PlainHTTP.post(url: location.endpoint, headers: headers, body: body, timeout: timeout)
        guard case .success(var plain) = answer, Gzip.isCompressed(plain.body) else { return answer }
        guard let body = Gzip.decompress(plain.body) else {
            return .failure(PlainHTTP.Failure(reason: "a gzip answer that does not decompress (cut short?)"))
        }
        plain.body = body
        return .success(plain)
    }

    /// Through URLSession (https).
    private func sessionExchange(_ body: Data, _ authorized: Bool) -> Result<PlainHTTP.Answer, PlainHTTP.Failure> {
        var request = URLRequest(url: location.endpoint, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        // One connection per call: Foundation on Linux spins, then hangs, on a kept-alive connection the
        // server or a proxy closed without an answer; a new connection fails at once and is retried.
        request.setValue("close", forHTTPHeaderField: "Connection")
        if authorized, let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer: (Data?, URLResponse?, Error?) = (nil, nil, nil)
        let task = session.dataTask(with: request) { data, response, error in
            answer = (data, response, error)
            done.signal()
        }
        task.resume()
        // Foundation on Linux can leave a task unfinished forever when a connection closes without an
        // answer: the wait is bounded, and the session (its connection pool) replaced.
        if done.wait(timeout: .now() + timeout + 5) == .timedOut {
            task.cancel()
            session.invalidateAndCancel()
            session = Self.makeSession(timeout: timeout)
            return .failure(PlainHTTP.Failure(reason: "no answer within \(Int(timeout)) s"))
        }
        let (data, response, error) = answer
        if let error { return .failure(PlainHTTP.Failure(reason: error.localizedDescription)) }
        guard let http = response as? HTTPURLResponse, let data else {
            return .failure(PlainHTTP.Failure(reason: "no answer"))
        }
        return .success(PlainHTTP.Answer(status: http.statusCode, body: data))
    }

    /// Tryton's error: `["UserError", [message, description, domain]]` or a plain string.
    static func refusal(_ error: Any) -> TrytonError {
        if let parts = error as? [Any], let type = parts.first as? String {
            var message = ""
            if let detail = parts.dropFirst().first as? [Any] {
                message = detail.compactMap { $0 as? String }.filter { !$0.isEmpty }.joined(separator: " ")
            } else if let detail = parts.dropFirst().first as? String {
                message = detail
            }
            if type == "LoginException" || type == "AccessError" && message.isEmpty {
                return .login(message.isEmpty ? type : message)
            }
            return .refused(type: type, message: message.isEmpty ? type : message)
        }
        return .refused(type: "Error", message: String(describing: error).prefix(500).description)
    }
}
