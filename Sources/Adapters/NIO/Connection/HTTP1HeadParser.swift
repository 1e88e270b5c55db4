import HTTPTypes
package import NIOCore
import WhiteNoise

/// A request head parsed straight from the bytes by `StaticFileServer`'s fast path.
package struct ParsedHead {
    var method: HTTPRequest.Method
    var target: String
    var fields: RequestFields
    var keepAlive: Bool
    var isHead: Bool
    /// Body bytes that follow the head and must be skipped.
    package var contentLength: Int
    /// HTTP/1.0 (which persists only when asked to, and is then told so).
    var isHTTP10 = false

    /// What the response says of the connection.
    var persistence: HeadTail.Persistence {
        if !keepAlive { return .close }
        return isHTTP10 ? .keepAlive : .implicit
    }
}

/// Why a head could not be parsed; the server answers with the status and closes.
package struct HeadError: Error {
    var status: HTTPResponse.Status
}

/// A strict HTTP/1.1 request-head parser (RFC 9112) for the standalone server. It keeps only
/// the header fields the engine reads (Accept-Encoding, conditionals, Range, Connection,
/// Content-Length, Transfer-Encoding), so a request costs a scan and a few small strings.
package enum HTTP1HeadParser {
    /// The largest head accepted; more is answered with 431.
    static let maximumHeadSize = 32 * 1024

    private static let contentLength = Array("content-length".utf8)
    private static let transferEncoding = Array("transfer-encoding".utf8)
    private static let connection = Array("connection".utf8)
    private static let close = Array("close".utf8)
    private static let keepAliveToken = Array("keep-alive".utf8)
    private static let host = Array("host".utf8)

    /// Fields kept for the engine, by their lower-case names.
    private static let kept: [(bytes: [UInt8], name: RequestFields.Name)] = RequestFields.Name.allCases.map {
        (Array($0.lowercased.utf8), $0)
    }

    /// Parses one head from `buffer` if a complete one is there, consuming it. Returns `nil`
    /// when more bytes are needed.
    package static func parse(_ buffer: inout ByteBuffer) throws(HeadError) -> ParsedHead? {
        // Tolerate empty lines before a request line (RFC 9112 §2.2).
        while let c = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), c == 13 || c == 10 {
            buffer.moveReaderIndex(forwardBy: 1)
        }
        guard let end = buffer.withUnsafeReadableBytes({ headEnd($0) }) else {
            // Incomplete: what is already wrong is answered now, not when the header timeout
            // ends the wait (a bare LF never completes a CRLF CRLF; HTTP/0.9 has no head end).
            if let status = buffer.withUnsafeReadableBytes({ verdictOnPart($0) }) { throw HeadError(status: status) }
            if buffer.readableBytes > maximumHeadSize { throw HeadError(status: .requestHeaderFieldsTooLarge) }
            return nil
        }
        guard end <= maximumHeadSize else { throw HeadError(status: .requestHeaderFieldsTooLarge) }
        let head: Result<ParsedHead, Invalid> = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(Invalid) in try parseHead(UnsafeRawBufferPointer(rebasing: bytes[0..<end])) }
        }
        switch head {
        case .success(let parsed):
            buffer.moveReaderIndex(forwardBy: end + 4)
            return parsed
        case .failure(let invalid):
            throw HeadError(status: invalid.status)
        }
    }

    /// The answer to a head that is not complete yet but already cannot be valid: `400` for a
    /// bare LF (a line end without CR; this parser accepts CRLF only) or a malformed request
    /// line, `505` for a well-formed request line of another HTTP version (HTTP/0.9 has none
    /// and is a `400`); `nil` while it may still become a valid head.
    private static func verdictOnPart(_ b: UnsafeRawBufferPointer) -> HTTPResponse.Status? {
        var firstLineEnd: Int?
        for i in 0..<b.count where b[i] == 10 {
            guard i > 0, b[i - 1] == 13 else { return .badRequest }
            if firstLineEnd == nil { firstLineEnd = i - 1 }
        }
        guard let firstLineEnd else { return nil }
        do {
            _ = try requestLine(UnsafeRawBufferPointer(rebasing: b[0..<firstLineEnd]))
            return nil
        } catch {
            return error.status
        }
    }

    /// Index of the CRLFCRLF that ends the head.
    private static func headEnd(_ b: UnsafeRawBufferPointer) -> Int? {
        guard b.count >= 4 else { return nil }
        var i = 0
        let limit = b.count - 3
        while i < limit {
            if b[i + 3] != 10 { i += b[i + 3] == 13 ? 1 : 4; continue }
            if b[i] == 13, b[i + 1] == 10, b[i + 2] == 13 { return i }
            i += 1
        }
        return nil
    }

    private static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// A head that cannot be served, and the status that says why.
    private struct Invalid: Error {
        var status: HTTPResponse.Status = .badRequest
    }

    /// `request-line = method SP request-target SP HTTP-version` (RFC 9112 §3): the method,
    /// the target, whether it is HTTP/1.1, and where the line ends in `b`. A version other
    /// than HTTP/1.0 and HTTP/1.1, well-formed (`HTTP/2.0`, `HTTP/9.9`), is a `505`.
    private static func requestLine(_ b: UnsafeRawBufferPointer) throws(Invalid) -> (HTTPRequest.Method, String, Bool, Int) {
        var i = 0
        while i < b.count, isTokenChar(b[i]) { i += 1 }
        guard i > 0, i < b.count, b[i] == 0x20 else { throw Invalid() }
        let httpMethod = try method(UnsafeRawBufferPointer(rebasing: b[0..<i]))
        i += 1
        let targetStart = i
        while i < b.count, b[i] > 0x20, b[i] != 0x7F { i += 1 }
        guard i > targetStart, i < b.count, b[i] == 0x20 else { throw Invalid() }
        guard let target = String(validating: UnsafeRawBufferPointer(rebasing: b[targetStart..<i]), as: UTF8.self) else { throw Invalid() }
        i += 1
        func digit(_ k: Int) -> Bool { b[k] >= UInt8(ascii: "0") && b[k] <= UInt8(ascii: "9") }
        guard i + 8 <= b.count, b[i] == UInt8(ascii: "H"), b[i + 1] == UInt8(ascii: "T"), b[i + 2] == UInt8(ascii: "T"),
            b[i + 3] == UInt8(ascii: "P"), b[i + 4] == UInt8(ascii: "/"), digit(i + 5), b[i + 6] == UInt8(ascii: "."), digit(i + 7),
            i + 8 == b.count || b[i + 8] == 13
        else { throw Invalid() }
        guard b[i + 5] == UInt8(ascii: "1"), b[i + 7] == UInt8(ascii: "0") || b[i + 7] == UInt8(ascii: "1") else {
            throw Invalid(status: .httpVersionNotSupported)
        }
        return (httpMethod, target, b[i + 7] == UInt8(ascii: "1"), i + 8)
    }

    private static func parseHead(_ b: UnsafeRawBufferPointer) throws(Invalid) -> ParsedHead {
        var (httpMethod, target, http11, i) = try requestLine(b)

        var fields = RequestFields()
        var keepAlive = http11
        var contentLength: Int?
        var transferEncoding = false
        var hosts = 0
        // Each field line: CRLF name ":" OWS value OWS
        while i < b.count {
            guard i + 1 < b.count, b[i] == 13, b[i + 1] == 10 else { throw Invalid() }
            i += 2
            let nameStart = i
            while i < b.count, isTokenChar(b[i]) { i += 1 }
            guard i > nameStart, i < b.count, b[i] == UInt8(ascii: ":") else { throw Invalid() }  // no space before ':'
            let nameEnd = i
            i += 1
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
            let valueStart = i
            while i < b.count, b[i] != 13 {
                let c = b[i]
                guard c >= 0x20 || c == 0x09, c != 0x7F else { throw Invalid() }
                i += 1
            }
            var valueEnd = i
            while valueEnd > valueStart, b[valueEnd - 1] == 0x20 || b[valueEnd - 1] == 0x09 { valueEnd -= 1 }
            let name = UnsafeRawBufferPointer(rebasing: b[nameStart..<nameEnd])
            let value = UnsafeRawBufferPointer(rebasing: b[valueStart..<valueEnd])
            if equalsLowercased(name, Self.contentLength) {
                guard let n = decimal(value), contentLength == nil || contentLength == n else { throw Invalid() }
                contentLength = n
            } else if equalsLowercased(name, Self.host) {
                hosts += 1
            } else if equalsLowercased(name, Self.transferEncoding) {
                transferEncoding = true
            } else if equalsLowercased(name, Self.connection) {
                if containsToken(value, Self.close) { keepAlive = false }
                if !http11, containsToken(value, Self.keepAliveToken) { keepAlive = true }
            } else {
                for k in kept where equalsLowercased(name, k.bytes) {
                    fields.add(k.name, value: String(decoding: value, as: UTF8.self))
                    break
                }
            }
        }
        // RFC 9112 §3.2: an HTTP/1.1 request without a Host field, or with more than one, is a 400.
        guard hosts == 1 || (!http11 && hosts == 0) else { throw Invalid() }
        if transferEncoding { keepAlive = false }
        return ParsedHead(method: httpMethod, target: target, fields: fields, keepAlive: keepAlive, isHead: httpMethod == .head,
                          contentLength: transferEncoding ? 0 : contentLength ?? 0,
                          isHTTP10: !http11)
    }

    /// The method token; GET and HEAD (nearly every request) without building a string.
    private static func method(_ m: UnsafeRawBufferPointer) throws(Invalid) -> HTTPRequest.Method {
        if m.count == 3, m[0] == UInt8(ascii: "G"), m[1] == UInt8(ascii: "E"), m[2] == UInt8(ascii: "T") { return .get }
        if m.count == 4, m[0] == UInt8(ascii: "H"), m[1] == UInt8(ascii: "E"), m[2] == UInt8(ascii: "A"), m[3] == UInt8(ascii: "D") {
            return .head
        }
        guard let method = HTTPRequest.Method(String(decoding: m, as: UTF8.self)) else { throw Invalid() }
        return method
    }

    private static func equalsLowercased(_ a: UnsafeRawBufferPointer, _ lower: [UInt8]) -> Bool {
        guard a.count == lower.count else { return false }
        for k in 0..<a.count where a[k] | 0x20 != lower[k] {
            if a[k] == lower[k] { continue }
            return false
        }
        return true
    }

    private static func decimal(_ v: UnsafeRawBufferPointer) -> Int? {
        guard !v.isEmpty, v.count <= 15 else { return nil }
        var n = 0
        for c in v {
            guard c >= 0x30, c <= 0x39 else { return nil }
            n = n * 10 + Int(c - 0x30)
        }
        return n
    }

    /// Whether a comma-separated list contains `token` (case-insensitive).
    private static func containsToken(_ v: UnsafeRawBufferPointer, _ t: [UInt8]) -> Bool {
        var start = 0
        while start <= v.count {
            var end = start
            while end < v.count, v[end] != UInt8(ascii: ",") { end += 1 }
            var s = start, e = end
            while s < e, v[s] == 0x20 || v[s] == 0x09 { s += 1 }
            while e > s, v[e - 1] == 0x20 || v[e - 1] == 0x09 { e -= 1 }
            if equalsLowercased(UnsafeRawBufferPointer(rebasing: v[s..<e]), t) { return true }
            start = end + 1
        }
        return false
    }
}
