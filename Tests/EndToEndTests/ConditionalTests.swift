import Foundation
import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// Docs/architecture.md#http-behaviour rows: ETag, If-None-Match, If-Modified-Since, 304, If-Match/If-Unmodified-Since.
@Suite(.offCooperativePool) struct ConditionalTests {
    static let mtime = 1_700_000_000  // Tue, 14 Nov 2023 22:13:20 GMT

    func withTree(on server: ServerKind, _ body: (Int, String) async throws -> Void) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let css = String(repeating: "a { b: c }\n", count: 100)
        try tree.write("a.css", css, mtime: Self.mtime)
        try tree.write("a.css.gz", try TempTree.gzip(Data(css.utf8)), mtime: Self.mtime)
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let etag = try #require(try RawHTTPConnection(port: port).request("GET", "/static/a.css")["etag"])
            try await body(port, etag)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func ifNoneMatchHonoursListsWeakTagsAndStar(server: ServerKind) async throws {
        try await withTree(on: server) { port, etag in
            let c = try RawHTTPConnection(port: port)
            for value in [etag, "\"x\", \(etag)", "W/\(etag)", "*", " \"a\" ,W/\(etag) "] {
                #expect(try c.request("GET", "/static/a.css", [("If-None-Match", value)]).status == 304, "\(value)")
            }
            for value in ["\"x\"", "\"x\", \"y\"", "W/\"x\"", String(etag.dropLast()), "garbage"] {
                #expect(try c.request("GET", "/static/a.css", [("If-None-Match", value)]).status == 200, "\(value)")
            }
            #expect(try c.request("HEAD", "/static/a.css", [("If-None-Match", etag)]).status == 304)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func notModifiedKeepsTheCachingHeadersOnly(server: ServerKind) async throws {
        try await withTree(on: server) { port, etag in
            let r = try RawHTTPConnection(port: port).request("GET", "/static/a.css", [("If-None-Match", etag)])
            #expect(r.status == 304)
            #expect(r.body.isEmpty)
            #expect(r["cache-control"] == "max-age=60, public")
            #expect(r["etag"] == etag)
            #expect(r["vary"] == "Accept-Encoding")
            #expect(r["last-modified"] == "Tue, 14 Nov 2023 22:13:20 GMT")
            #expect(r["access-control-allow-origin"] == "*")
            #expect(r["content-type"] == nil && r["content-length"] == nil && r["content-encoding"] == nil)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func ifModifiedSinceInAllThreeFormats(server: ServerKind) async throws {
        try await withTree(on: server) { port, _ in
            let c = try RawHTTPConnection(port: port)
            for value in ["Tue, 14 Nov 2023 22:13:20 GMT", "Tuesday, 14-Nov-23 22:13:20 GMT", "Tue Nov 14 22:13:20 2023",
                          "Wed, 15 Nov 2023 00:00:00 GMT", "Fri, 01 Jan 2100 00:00:00 GMT"] {
                #expect(try c.request("GET", "/static/a.css", [("If-Modified-Since", value)]).status == 304, "\(value)")
            }
            for value in ["Tue, 14 Nov 2023 22:13:19 GMT", "Mon Nov 13 22:13:20 2023", "Fri, 16 Jul 2021 09:09:1626426577S GMT", "nonsense"] {
                #expect(try c.request("GET", "/static/a.css", [("If-Modified-Since", value)]).status == 200, "\(value)")
            }
        }
    }

    @Test(arguments: ServerKind.allCases)
    func ifNoneMatchDecidesAloneWhenPresent(server: ServerKind) async throws {
        try await withTree(on: server) { port, etag in
            let c = try RawHTTPConnection(port: port)
            let future = "Fri, 01 Jan 2100 00:00:00 GMT", past = "Thu, 01 Jan 1970 00:00:00 GMT"
            #expect(try c.request("GET", "/static/a.css", [("If-None-Match", "\"old\""), ("If-Modified-Since", future)]).status == 200)
            #expect(try c.request("GET", "/static/a.css", [("If-None-Match", etag), ("If-Modified-Since", past)]).status == 304)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func preconditionsUseTheSelectedRepresentation(server: ServerKind) async throws {
        try await withTree(on: server) { port, identityTag in
            let c = try RawHTTPConnection(port: port)
            let gz = try c.request("GET", "/static/a.css", [("Accept-Encoding", "gzip")])
            let gzTag = try #require(gz["etag"])
            #expect(gzTag != identityTag)
            #expect(try c.request("GET", "/static/a.css", [("Accept-Encoding", "gzip"), ("If-None-Match", identityTag)]).status == 200)
            let notModified = try c.request("GET", "/static/a.css", [("Accept-Encoding", "gzip"), ("If-None-Match", gzTag)])
            #expect(notModified.status == 304 && notModified["etag"] == gzTag && notModified["vary"] == "Accept-Encoding")
            #expect(try c.request("GET", "/static/a.css", [("If-None-Match", gzTag)]).status == 200)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func failedIfMatchOrIfUnmodifiedSinceGives412(server: ServerKind) async throws {
        try await withTree(on: server) { port, etag in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/a.css", [("If-Match", "\"other\"")]).status == 412)
            #expect(try c.request("GET", "/static/a.css", [("If-Match", "W/\(etag)")]).status == 412)  // strong comparison
            #expect(try c.request("GET", "/static/a.css", [("If-Match", etag)]).status == 200)
            #expect(try c.request("GET", "/static/a.css", [("If-Match", "*")]).status == 200)
            #expect(try c.request("GET", "/static/a.css", [("If-Unmodified-Since", "Mon, 13 Nov 2023 00:00:00 GMT")]).status == 412)
            #expect(try c.request("GET", "/static/a.css", [("If-Unmodified-Since", "Tue, 14 Nov 2023 22:13:20 GMT")]).status == 200)
            #expect(try c.request("GET", "/static/a.css", [("If-Unmodified-Since", "bogus")]).status == 200)
            // If-Match present: If-Unmodified-Since is not evaluated (RFC 9110 §13.2.2).
            #expect(try c.request("GET", "/static/a.css", [("If-Match", etag), ("If-Unmodified-Since", "Mon, 13 Nov 2023 00:00:00 GMT")]).status == 200)
            let failed = try c.request("GET", "/static/a.css", [("If-Match", "\"other\"")])
            #expect(failed.body.isEmpty && failed["etag"] == etag)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func mtimeZeroSendsNoLastModifiedButStillAnETag(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("epoch.txt", "old", mtime: 0)
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            let r = try c.request("GET", "/static/epoch.txt")
            #expect(r["last-modified"] == nil)
            #expect(r["etag"] != nil)
            #expect(try c.request("GET", "/static/epoch.txt", [("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")]).status == 200)
        }
    }
}
