#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A response as read off the wire.
public struct RawResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Header fields in order, names as sent.
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: [UInt8]

    /// The first value of a field (case-insensitive name).
    public subscript(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of a field.
    public func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Errors of the raw client.
public enum RawHTTPError: Error, CustomStringConvertible {
    case connect(Int32), timeout, closed, reset, malformed(String)
    public var description: String {
        switch self {
        case .connect(let e): return "connect failed, errno \(e)"
        case .timeout: return "timed out waiting for the server"
        case .closed: return "connection closed by the server"
        case .reset: return "connection reset by the server"
        case .malformed(let s): return "malformed response: \(s)"
        }
    }
}

/// A blocking HTTP/1.1 client over one TCP connection to 127.0.0.1, for tests: it sends
/// exactly the bytes it is given (so malformed and pipelined requests can be written) and
/// parses responses strictly. Every read has a timeout, so a test can never hang.
public final class RawHTTPConnection {
    private var fd: Int32
    private var buffer: [UInt8] = []
    /// Bytes received so far.
    private var received = 0
    /// Bytes received so far, whatever they were.
    public var bytesReceived: Int { received }

    /// Connects to `127.0.0.1:port`; reads time out after `timeout` seconds.
    public init(port: Int, timeout: Int = 10) throws {
        fd = socket(AF_INET, streamSocketType, 0)
        suppressSigpipe(fd)
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            let e = errno
            // A class whose init throws after all its properties are set is deinitialised:
            // close here and mark it, so deinit never closes a descriptor number twice
            // (by then it may belong to another test's server).
            closeSocket(fd)
            fd = -1
            throw RawHTTPError.connect(e)
        }
    }

    deinit { close() }

    /// Closes the connection (as a client does once it has seen the server's end).
    public func close() {
        if fd >= 0 { closeSocket(fd) }
        fd = -1
    }

    /// Shuts the sending side: the server sees the end of the requests, and the connection
    /// can still receive.
    public func shutdownSending() {
        WhiteNoiseTestSupport.shutdownSending(fd)
    }

    /// Sends `request` and returns how many bytes its whole response took.
    public func responseSize(of request: String) throws -> Int {
        precondition(buffer.isEmpty, "unread bytes before the request")
        let before = received
        try send(request)
        _ = try readResponse()
        precondition(buffer.isEmpty, "more than one response arrived")
        return received - before
    }

    /// Reads until the server ends the connection: `true` when it ended it with a FIN (every
    /// byte it sent can be read), `false` on a reset or a timeout.
    public func endsCleanly() -> Bool {
        if case .closed = readUntilEnd() { return true }
        return false
    }

    /// Sets the receive buffer small (before reading) to simulate a slow reader.
    public func setReceiveBuffer(_ bytes: Int32) {
        var v = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sends raw bytes.
    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Sends raw bytes.
    public func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { sendNoSignal(fd, $0) }
            if n <= 0 { throw RawHTTPError.closed }
            sent += n
        }
    }

    /// Sends a request with the given fields (plus `Host`).
    public func request(_ method: String = "GET", _ target: String, _ headers: [(String, String)] = []) throws -> RawResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (n, v) in headers { text += "\(n): \(v)\r\n" }
        try send(text + "\r\n")
        return try readResponse(isHead: method == "HEAD")
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { throw RawHTTPError.closed }
        if n < 0 { throw errno == EAGAIN || errno == EWOULDBLOCK ? RawHTTPError.timeout : RawHTTPError.reset }
        received += n
        buffer += chunk[0..<n]
    }

    /// Reads one response. The body is read by `Content-Length` (none for HEAD, 1xx, 204, 304).
    public func readResponse(isHead: Bool = false) throws -> RawResponse {
        var end: Int?
        while end == nil {
            if let r = findHeadEnd() { end = r } else { try fill() }
        }
        let head = String(decoding: buffer[0..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { throw RawHTTPError.malformed(statusLine) }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw RawHTTPError.malformed(line) }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = RawResponse(status: status, headers: headers, body: [])
        if isHead || status == 304 || status == 204 || status < 200 { return response }
        guard let lengthText = response["content-length"], let length = Int(lengthText) else {
            throw RawHTTPError.malformed("no Content-Length on \(status)")
        }
        while buffer.count < length { try fill() }
        response.body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return response
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// Whether the server closed the connection (a FIN or a reset) within the read timeout.
    public func serverClosed() -> Bool {
        switch readUntilEnd() {
        case .closed, .reset: return true
        default: return false
        }
    }

    /// Receives until the connection ends or a read times out; returns how it ended.
    private func readUntilEnd() -> RawHTTPError {
        do {
            while true { try fill() }
        } catch let error as RawHTTPError {
            return error
        } catch {
            return .closed
        }
    }

    /// Receives until at least `count` bytes are buffered (they stay buffered for
    /// `readResponse`); returns how many are buffered.
    public func readSome(atLeast count: Int) throws -> Int {
        while buffer.count < count { try fill() }
        return buffer.count
    }

    /// Reads until the server closes; returns everything received.
    public func readToEnd() -> [UInt8] {
        while (try? fill()) != nil {}
        defer { buffer = [] }
        return buffer
    }
}
