import HTTPTypes
import NIOCore
import Testing
@testable import WhiteNoiseNIO
import WhiteNoise

@Suite struct HTTP1HeadParserTests {
    func parse(_ text: String) throws(HeadError) -> ParsedHead? {
        var buffer = ByteBuffer(string: text)
        return try HTTP1HeadParser.parse(&buffer)
    }

    @Test func parsesRequestLineAndKeepsOnlyTheFieldsTheEngineReads() throws {
        let head = try #require(try parse("GET /static/a.css?v=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\naccept-ENCODING:  gzip, br \r\nIf-None-Match: \"e\"\r\nRange: bytes=0-1\r\n\r\n"))
        #expect(head.method == .get && head.target == "/static/a.css?v=1")
        #expect(head.fields.acceptEncoding == "gzip, br")
        #expect(head.fields.ifNoneMatch == "\"e\"")
        #expect(head.fields.range == "bytes=0-1")
        #expect(head.fields.ifMatch == nil)
        #expect(head.keepAlive && !head.isHead && head.contentLength == 0)
    }

    @Test func methodsAreTakenAsSent() throws {
        #expect(try parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n")?.method == .get)
        let head = try #require(try parse("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(head.method == .head && head.isHead)
        #expect(try parse("PUT / HTTP/1.1\r\nHost: x\r\n\r\n")?.method == .put)
        // Methods are case-sensitive tokens: these are not GET or HEAD.
        #expect(try parse("get / HTTP/1.1\r\nHost: x\r\n\r\n")?.method.rawValue == "get")
        #expect(try parse("GETS / HTTP/1.1\r\nHost: x\r\n\r\n")?.method.rawValue == "GETS")
        #expect(try parse("HEA / HTTP/1.1\r\nHost: x\r\n\r\n")?.isHead == false)
    }

    @Test func keepAliveRules() throws {
        #expect(try parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?.keepAlive == false)
        #expect(try parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n\r\n")?.keepAlive == false)
        #expect(try parse("GET / HTTP/1.0\r\n\r\n")?.keepAlive == false)
        #expect(try parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")?.keepAlive == true)
        let chunked = try #require(try parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"))
        #expect(!chunked.keepAlive && chunked.contentLength == 0)  // answered, then closed: no boundary guessed
    }

    @Test func incompleteHeadsWaitAndPipelinedHeadsComeOneByOne() throws {
        #expect(try parse("GET / HTTP/1.1\r\nHost: x\r\n") == nil)
        var buffer = ByteBuffer(string: "\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz")
        #expect(try HTTP1HeadParser.parse(&buffer)?.target == "/a")
        let second = try #require(try HTTP1HeadParser.parse(&buffer))
        #expect(second.target == "/b" && second.isHead && second.contentLength == 3)
        #expect(buffer.readableBytes == 3)
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1x\r\n\r\n", "GET / HTTP/1\r\n\r\n", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nName : x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nA: \u{1}\r\n\r\n", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "GET / HTTP/1.1\nHost: x\r\n\r\n", "GET /\u{7F} HTTP/1.1\r\nHost: x\r\n\r\n",
    ])
    func malformedHeadsAreBadRequests(_ text: String) {
        #expect(throws: HeadError.self) { try parse(text) }
        do { _ = try parse(text) } catch { #expect(error.status == .badRequest) }
    }

    /// A head that is not complete but already cannot be valid is answered at once, not when
    /// the header timeout ends the wait: a bare LF (it never makes a CRLF CRLF), HTTP/0.9 (no
    /// version, no head end), another HTTP version (505). What may still become valid waits.
    @Test(arguments: [
        ("GET /static/a.css HTTP/1.1\nHost: x\n\n", HTTPResponse.Status.badRequest),
        ("GET /static/a.css HTTP/1.1\r\nHost: x\n", .badRequest),
        ("GET /static/a.css HTTP/1.1\r\nHost: x\r\nA: b\nc", .badRequest),
        ("GET /static/a.css\r\n", .badRequest),
        ("GET /static/a.css\r\nHost: x\r\n", .badRequest),
        ("GET / HTTP/9.9\r\n", .httpVersionNotSupported),
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", .httpVersionNotSupported),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", .httpVersionNotSupported),
        ("GET / HTTP/0.9\r\n", .httpVersionNotSupported),
        ("G(T / HTTP/1.1\r\n", .badRequest),
    ])
    func hopelessPartialHeadsAreAnsweredAtOnce(_ text: String, _ status: HTTPResponse.Status) {
        do {
            _ = try parse(text)
            Issue.record("expected \(status) for \(text.debugDescription)")
        } catch {
            #expect(error.status == status, "\(text.debugDescription)")
        }
    }

    @Test func partialHeadsThatMayBecomeValidWait() throws {
        for text in ["G", "GET", "GET /static/a.css", "GET /static/a.css HTTP/1.", "GET / HTTP/1.1\r", "GET / HTTP/1.1\r\nHost: x\r\n",
                     "GET / HTTP/1.1\r\nHost: x\r\n\r", "\r\n\r\nGET / HTTP/1.0\r\n"] {
            #expect(try parse(text) == nil, "\(text.debugDescription)")
        }
    }

    /// RFC 9112 §3.2: exactly one Host in HTTP/1.1; HTTP/1.0 may omit it.
    @Test func hostIsRequiredOnceInHTTP11() throws {
        #expect(try parse("GET / HTTP/1.1\r\nhost: x\r\n\r\n") != nil)
        #expect(try parse("GET / HTTP/1.0\r\n\r\n") != nil)
        #expect(throws: HeadError.self) { try parse("GET / HTTP/1.1\r\n\r\n") }
        #expect(throws: HeadError.self) { try parse("GET / HTTP/1.0\r\nHost: a\r\nHOST: a\r\n\r\n") }
    }

    @Test func invalidUTF8TargetIsABadRequest() {
        var buffer = ByteBuffer(bytes: Array("GET /".utf8) + [0xFF] + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(throws: HeadError.self) { try HTTP1HeadParser.parse(&buffer) }
    }

    @Test func oversizedHeadsAre431() {
        let huge = "GET / HTTP/1.1\r\n" + String(repeating: "X: \(String(repeating: "y", count: 100))\r\n", count: 400)
        do {
            _ = try parse(huge)
            Issue.record("expected 431")
        } catch {
            #expect(error.status == .requestHeaderFieldsTooLarge)
        }
        do {
            _ = try parse(huge + "\r\n")
            Issue.record("expected 431")
        } catch {
            #expect(error.status == .requestHeaderFieldsTooLarge)
        }
    }
}
