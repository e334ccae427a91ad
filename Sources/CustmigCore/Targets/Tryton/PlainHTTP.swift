import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One HTTP/1.1 POST on a plain TCP connection of its own, the calling thread blocked in the kernel
/// until the answer is in. Used for `tryton://` (http) endpoints: Foundation's URLSession on Linux
/// polls in a loop while a call waits (a 28 s cutover spent 21-25 s of system time in ~150,000 polls and
/// epoll calls), and that core is taken from the ERP when both run on one machine. `trytons://` keeps
/// URLSession for its TLS.
enum PlainHTTP {
    struct Answer {
        var status: Int
        var body: Data
    }

    /// Why no answer came: the connection failed, closed early, or the time ran out.
    struct Failure: Error {
        var reason: String
    }

    static func post(url: URL, headers: [(String, String)], body: Data, timeout: Double) -> Result<Answer, Failure> {
        guard let host = url.host else { return .failure(Failure(reason: "no host in \(url.absoluteString)")) }
        let port = url.port ?? 80
        var path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? "/"
        if path.isEmpty { path = "/" }
        let deadline = Date().addingTimeInterval(timeout)
        let socket: Int32
        switch open(host: host, port: port, timeout: timeout) {
        case .success(let connected): socket = connected
        case .failure(let failure): return .failure(failure)
        }
        defer { close(socket) }
        var requestHead = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { requestHead += "\(name): \(value)\r\n" }
        requestHead += "\r\n"
        var request = Data(requestHead.utf8)
        request.append(body)
        if let failure = sendAll(request, on: socket) { return .failure(failure) }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var head: Head?
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count > 0 {
                received.append(contentsOf: buffer[0..<count])
                // The head is parsed once it is in; after that only the length is compared.
                if head == nil {
                    switch Head.parse(received) {
                    case .success(let parsed): head = parsed
                    case .failure(let failure): return .failure(failure)
                    case nil: break
                    }
                }
                if let head, let answer = head.answer(received) { return .success(answer) }
                if Date() > deadline { return .failure(Failure(reason: "no complete answer within \(Int(timeout)) s")) }
                continue
            }
            if count == 0 { break }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                return .failure(Failure(reason: "no answer within \(Int(timeout)) s"))
            }
            return .failure(Failure(reason: String(cString: strerror(errno))))
        }
        if let head, let answer = head.answer(received, closed: true) { return .success(answer) }
        return .failure(
            Failure(
                reason: received.isEmpty
                    ? "the connection closed without an answer" : "the connection closed in the middle of the answer"))
    }

    /// A connected socket whose sends and receives give up after `timeout` seconds.
    private static func open(host: String, port: Int, timeout: Double) -> Result<Int32, Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            return .failure(Failure(reason: "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))"))
        }
        defer { freeaddrinfo(first) }
        var reason = "no address for \(host)"
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let address = next {
            next = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            if fd < 0 { continue }
            var limit = timeval(tv_sec: Int(timeout), tv_usec: .init((timeout - timeout.rounded(.down)) * 1_000_000))
            let size = socklen_t(MemoryLayout<timeval>.size)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, size)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, size)
            if connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return .success(fd) }
            reason = "cannot connect to \(host):\(port): \(String(cString: strerror(errno)))"
            close(fd)
        }
        return .failure(Failure(reason: reason))
    }

    private static func sendAll(_ data: Data, on socket: Int32) -> Failure? {
        data.withUnsafeBytes { raw -> Failure? in
            var offset = 0
            while offset < raw.count {
                let sent = send(socket, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent > 0 {
                    offset += sent
                } else if sent < 0, errno == EINTR {
                    continue
                } else {
                    return Failure(reason: "sending failed: \(String(cString: strerror(errno)))")
                }
            }
            return nil
        }
    }

    /// The status line and headers of an answer, and where its body starts.
    private struct Head {
        var status: Int
        var bodyStart: Int
        var contentLength: Int?
        var chunked: Bool

        /// The head once `data` holds all of it; nil while more is to come.
        static func parse(_ data: Data) -> Result<Head, Failure>? {
            guard let end = data.firstRange(of: Data("\r\n\r\n".utf8)) else { return nil }
            let text = String(decoding: data[data.startIndex..<end.lowerBound], as: UTF8.self)
            var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
            let statusLine = lines.isEmpty ? "" : lines.removeFirst()
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
                return .failure(Failure(reason: "not an HTTP answer: \(statusLine.prefix(80))"))
            }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] =
                    line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return .success(
                Head(
                    status: status, bodyStart: data.distance(from: data.startIndex, to: end.upperBound),
                    contentLength: headers["content-length"].flatMap(Int.init),
                    chunked: headers["transfer-encoding"]?.lowercased().contains("chunked") == true))
        }

        /// The answer once `data` holds all of its body (by Content-Length, the last chunk, or the end
        /// of the connection); nil while more is to come.
        func answer(_ data: Data, closed: Bool = false) -> Answer? {
            let body = data.dropFirst(bodyStart)
            if chunked {
                guard closed || body.suffix(5) == Data("0\r\n\r\n".utf8) else { return nil }
                return PlainHTTP.unchunked(body).map { Answer(status: status, body: $0) }
            }
            if let contentLength {
                guard body.count >= contentLength else { return nil }
                return Answer(status: status, body: Data(body.prefix(contentLength)))
            }
            return closed ? Answer(status: status, body: Data(body)) : nil
        }
    }

    /// The body of a chunked answer, or nil until its last chunk is in.
    fileprivate static func unchunked(_ body: Data) -> Data? {
        var result = Data()
        var index = body.startIndex
        while true {
            guard let lineEnd = body[index...].firstRange(of: Data("\r\n".utf8)) else { return nil }
            let sizeText = String(decoding: body[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else { return nil }
            let start = lineEnd.upperBound
            if size == 0 { return result }
            guard body.distance(from: start, to: body.endIndex) >= size + 2 else { return nil }
            let stop = body.index(start, offsetBy: size)
            result.append(body[start..<stop])
            index = body.index(stop, offsetBy: 2)
        }
    }
}
