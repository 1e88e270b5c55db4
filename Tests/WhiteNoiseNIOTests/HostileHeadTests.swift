import Foundation
import Testing
import WhiteNoise
import WhiteNoiseNIO
import WhiteNoiseTestSupport

/// Every class of hostile or odd request head the reliability issue lists, against the
/// standalone server on each backend: each gets a clean answer (or, where the peer is still
/// sending a huge head, a close) within the client's 3 s read limit, far below the 30 s header
/// timeout, and the server keeps serving afterwards.
@Suite(.offCooperativePool) struct HostileHeadTests {
    /// A request that is complete as sent, and the statuses it may get.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var statuses: Set<Int>
        /// A head too large to read whole: a close (or reset) before the answer is acceptable.
        var mayCloseFirst = false
        var testDescription: String { name }
    }

    static func head(_ lines: [String], target: String = "/static/a.txt", version: String = "HTTP/1.1") -> [UInt8] {
        Array(("GET \(target) \(version)\r\n" + lines.map { $0 + "\r\n" }.joined() + "\r\n").utf8)
    }

    static let cases: [Case] = [
        Case(name: "64 KB head", bytes: head(["Host: x", "X-Big: " + String(repeating: "y", count: 64 << 10)]), statuses: [431], mayCloseFirst: true),
        Case(name: "1 MB head", bytes: head(["Host: x", "X-Big: " + String(repeating: "y", count: 1 << 20)]), statuses: [431], mayCloseFirst: true),
        Case(name: "10,000 fields", bytes: head(["Host: x"] + (0..<10_000).map { "X-\($0): v" }), statuses: [431], mayCloseFirst: true),
        Case(name: "control byte in a value", bytes: head(["Host: x", "A: b\u{1}c"]), statuses: [400]),
        Case(name: "NUL in a value", bytes: head(["Host: x", "A: b\u{0}c"]), statuses: [400]),
        Case(name: "CR alone in a value", bytes: head(["Host: x", "A: b\rc"]), statuses: [400]),
        Case(name: "obs-fold", bytes: head(["Host: x", "A: b", " folded"]), statuses: [400]),
        Case(name: "bare LF", bytes: Array("GET /static/a.txt HTTP/1.1\nHost: x\n\n".utf8), statuses: [400]),
        Case(name: "non-UTF-8 path", bytes: Array("GET /static/".utf8) + [0xC3, 0x28] + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8), statuses: [400]),
        Case(name: "NUL in the path", bytes: Array("GET /static/a".utf8) + [0] + Array(".txt HTTP/1.1\r\nHost: x\r\n\r\n".utf8), statuses: [400]),
        Case(name: "encoded NUL in the path", bytes: head(["Host: x"], target: "/static/a.txt%00"), statuses: [404]),
        Case(name: "asterisk target", bytes: Array("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n".utf8), statuses: [404]),
        Case(name: "absolute-form target", bytes: head(["Host: x"], target: "http://example.com/static/a.txt"), statuses: [200]),
        Case(name: "HTTP/0.9", bytes: Array("GET /static/a.txt\r\n".utf8), statuses: [400]),
        Case(name: "h2 preface", bytes: Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8), statuses: [505]),
        Case(name: "HTTP/9.9", bytes: head(["Host: x"], version: "HTTP/9.9"), statuses: [505]),
        Case(name: "missing Host", bytes: head([]), statuses: [400]),
        Case(name: "duplicate Host", bytes: head(["Host: x", "Host: y"]), statuses: [400]),
        Case(name: "Content-Length then Transfer-Encoding", bytes: head(["Host: x", "Content-Length: 5", "Transfer-Encoding: chunked"]) + Array("0\r\n\r\n".utf8), statuses: [200, 400]),
        Case(name: "Transfer-Encoding then Content-Length", bytes: head(["Host: x", "Transfer-Encoding: chunked", "Content-Length: 5"]) + Array("0\r\n\r\n".utf8), statuses: [200, 400]),
        Case(name: "obfuscated Transfer-Encoding", bytes: head(["Host: x", "Transfer-Encoding : chunked"]), statuses: [400]),
        Case(name: "odd Transfer-Encoding", bytes: head(["Host: x", "Transfer-Encoding: xchunked"]), statuses: [200, 400]),
        Case(name: "duplicate Content-Length", bytes: head(["Host: x", "Content-Length: 1", "Content-Length: 2"]), statuses: [400]),
        Case(name: "bad Content-Length", bytes: head(["Host: x", "Content-Length: 1,2"]), statuses: [400]),
        Case(name: "huge Content-Length", bytes: head(["Host: x", "Content-Length: 99999999999999999999"]), statuses: [400]),
        Case(name: "bad chunked body", bytes: head(["Host: x", "Transfer-Encoding: chunked"]) + Array("zz\r\nnot hex\r\n".utf8), statuses: [200, 400]),
        Case(name: "1 MB GET body", bytes: head(["Host: x", "Content-Length: \(1 << 20)"]) + [UInt8](repeating: 0x61, count: 1 << 20), statuses: [200]),
        Case(name: "Expect: 100-continue", bytes: head(["Host: x", "Expect: 100-continue", "Content-Length: 0"]), statuses: [200]),
        Case(name: "h2c upgrade", bytes: head(["Host: x", "Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAAQAAP__"]), statuses: [200]),
        Case(name: "many ranges", bytes: head(["Host: x", "Range: bytes=" + (0..<3_000).map { "\($0 % 5)-\($0 % 5)" }.joined(separator: ",")]), statuses: [200, 206, 416]),
        Case(name: "many Accept-Encoding tokens", bytes: head(["Host: x", "Accept-Encoding: " + (0..<5_000).map { _ in "a" }.joined(separator: ",")]), statuses: [200]),
        Case(name: "many ETags", bytes: head(["Host: x", "If-None-Match: " + (0..<6_000).map { _ in "\"e\"" }.joined(separator: ",")]), statuses: [200, 304]),
        Case(name: "100 KB URL", bytes: head(["Host: x"], target: "/static/" + String(repeating: "a", count: 100 << 10)), statuses: [431, 414], mayCloseFirst: true),
    ]

    @Test(arguments: StaticFileServer.Backend.available, cases)
    func answeredAtOnceAndTheServerGoesOn(_ backend: StaticFileServer.Backend, _ hostile: Case) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("a.txt", "alpha")
        try await withLiveServer(try makeFiles(tree.root), backend: backend) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port, timeout: 3)
            do {
                try c.send(hostile.bytes)
                let r = try c.readResponse()
                #expect(hostile.statuses.contains(r.status), "\(hostile.name) on \(backend): \(r.status)")
            } catch let error as RawHTTPError {
                switch error {
                case .closed, .reset: #expect(hostile.mayCloseFirst, "\(hostile.name) on \(backend): closed without an answer")
                default: Issue.record("\(hostile.name) on \(backend): \(error)")
                }
            }
            #expect(try RawHTTPConnection(port: port).request("GET", "/static/a.txt").text == "alpha")
        }
    }

    /// 100 requests in one write, then garbage: 100 answers in order, then a 400 and a close.
    @Test(arguments: StaticFileServer.Backend.available)
    func pipelinedRequestsThenGarbage(_ backend: StaticFileServer.Backend) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("a.txt", "alpha")
        try tree.write("b.txt", "bravo")
        try await withLiveServer(try makeFiles(tree.root), backend: backend) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port, timeout: 3)
            var text = ""
            for i in 0..<100 { text += "GET /static/\(i % 2 == 0 ? "a" : "b").txt HTTP/1.1\r\nHost: x\r\n\r\n" }
            try c.send(text + "\u{1}\u{2}garbage\r\n\r\n")
            for i in 0..<100 {
                let r = try c.readResponse()
                #expect(r.status == 200 && r.text == (i % 2 == 0 ? "alpha" : "bravo"), "response \(i)")
            }
            let bad = try c.readResponse()
            #expect(bad.status == 400 && bad["connection"] == "close")
            #expect(c.serverClosed())
        }
    }
}
