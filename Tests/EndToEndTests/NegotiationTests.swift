import Foundation
import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// Docs/architecture.md#http-behaviour rows: Accept-Encoding negotiation, Vary, compressed siblings.
@Suite(.offCooperativePool) struct NegotiationTests {
    /// identity 1000 bytes, .gz 400, .br 300, .zst 200 (bytes stand in for real codings:
    /// the engine never decodes them).
    func withVariants(on server: ServerKind, zstdSuffix: String = ".zst", _ body: (RawHTTPConnection) async throws -> Void) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("app.js", String(repeating: "i", count: 1000))
        try tree.write("app.js.gz", String(repeating: "g", count: 400))
        try tree.write("app.js.br", String(repeating: "b", count: 300))
        try tree.write("app.js" + zstdSuffix, String(repeating: "z", count: 200))
        try await withLiveServer(try makeFiles(tree.root), on: server) { port in try await body(RawHTTPConnection(port: port)) }
    }

    func encoding(_ c: RawHTTPConnection, _ accept: String?) throws -> String {
        let r = try c.request("GET", "/static/app.js", accept.map { [("Accept-Encoding", $0)] } ?? [])
        #expect(r["vary"] == "Accept-Encoding")
        #expect(r["content-type"] == "text/javascript; charset=utf-8")
        #expect(Int(r["content-length"] ?? "") == r.body.count)
        return "\(r["content-encoding"] ?? "identity") \(r.body.count)"
    }

    @Test(arguments: ServerKind.allCases)
    func smallestAcceptableWins(server: ServerKind) async throws {
        try await withVariants(on: server) { (c: RawHTTPConnection) async throws in
            #expect(try encoding(c, "gzip, deflate, br, zstd") == "zstd 200")
            #expect(try encoding(c, "gzip, br") == "br 300")
            #expect(try encoding(c, "gzip") == "gzip 400")
            #expect(try encoding(c, "x-gzip") == "gzip 400")
            #expect(try encoding(c, "*") == "zstd 200")
            #expect(try encoding(c, nil) == "identity 1000")
            #expect(try encoding(c, "") == "identity 1000")
            #expect(try encoding(c, "deflate") == "identity 1000")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func qZeroExcludesAndCaseIsIgnored(server: ServerKind) async throws {
        try await withVariants(on: server) { (c: RawHTTPConnection) async throws in
            #expect(try encoding(c, "zstd;q=0, br;q=0, gzip") == "gzip 400")
            #expect(try encoding(c, "ZSTD;Q=0.1") == "zstd 200")
            #expect(try encoding(c, "*, zstd;q=0") == "br 300")
            #expect(try encoding(c, "gzip;q=0") == "identity 1000")
            #expect(try encoding(c, "identity;q=0") == "identity 1000")  // nothing else acceptable: identity anyway
        }
    }

    /// The client's preference first, then size (Docs/architecture.md): a coding rated higher
    /// wins even when larger; among equal q-values the smallest; identity the header does not
    /// rate counts as preferred as the best coding listed.
    @Test(arguments: ServerKind.allCases)
    func theHighestQualityWinsThenTheSmallest(server: ServerKind) async throws {
        try await withVariants(on: server) { (c: RawHTTPConnection) async throws in
            #expect(try encoding(c, "gzip;q=1, br;q=0.5") == "gzip 400")
            #expect(try encoding(c, "br;q=0.5, gzip;q=1.0, zstd;q=0.2") == "gzip 400")
            #expect(try encoding(c, "gzip;q=0.5, br;q=0.5") == "br 300")
            #expect(try encoding(c, "gzip, br;q=0.9, zstd;q=0.9") == "gzip 400")
            #expect(try encoding(c, "*;q=0.5, gzip") == "gzip 400")
            #expect(try encoding(c, "*;q=0.5, gzip;q=0.5") == "zstd 200")
            #expect(try encoding(c, "identity, gzip;q=0.5") == "identity 1000")
            #expect(try encoding(c, "identity;q=0.1, gzip;q=0.5") == "gzip 400")
            #expect(try encoding(c, "zstd;q=0.001") == "zstd 200")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func zstdSiblingMayBeNamedDotZstd(server: ServerKind) async throws {
        try await withVariants(on: server, zstdSuffix: ".zstd") { (c: RawHTTPConnection) async throws in
            #expect(try encoding(c, "zstd") == "zstd 200")
            #expect(try c.request("GET", "/static/app.js.zstd").status == 404)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func identityWinsWhenSmallest(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("tiny.css", "a{}")
        try tree.write("tiny.css.gz", try TempTree.gzip(Data("a{}".utf8)))
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let r = try RawHTTPConnection(port: port).request("GET", "/static/tiny.css", [("Accept-Encoding", "gzip")])
            #expect(r["content-encoding"] == nil && r.text == "a{}" && r["vary"] == "Accept-Encoding")
        }
    }

    @Test(arguments: ServerKind.allCases)
    func realGzipBodyDecodesToTheOriginal(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let text = String(repeating: "function f() { return 42 }\n", count: 200)
        try tree.write("f.js", text)
        try tree.write("f.js.gz", try TempTree.gzip(Data(text.utf8)))
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let r = try RawHTTPConnection(port: port).request("GET", "/static/f.js", [("Accept-Encoding", "gzip")])
            #expect(r["content-encoding"] == "gzip")
            let decoded = try TempTree.pipe(["gzip", "-d", "-c"], Data(r.body))
            #expect(String(decoding: decoded, as: UTF8.self) == text)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func siblingsAreNotAddressableButOrphansAre(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("app.css", String(repeating: "x", count: 100))
        try tree.write("app.css.gz", String(repeating: "g", count: 50))
        try tree.write("app.css.br", String(repeating: "b", count: 40))
        try tree.write("orphan.tar.gz", "archive")
        try tree.write("plain.txt", "no variants")
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/app.css.gz").status == 404)
            #expect(try c.request("GET", "/static/app.css.br").status == 404)
            let orphan = try c.request("GET", "/static/orphan.tar.gz")
            #expect(orphan.status == 200 && orphan.text == "archive" && orphan["content-type"] == "application/gzip")
            #expect(orphan["content-encoding"] == nil)
            let plain = try c.request("GET", "/static/plain.txt", [("Accept-Encoding", "gzip, br")])
            #expect(plain["vary"] == nil)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func varyOnEveryResponseOfAFileWithVariants(server: ServerKind) async throws {
        try await withVariants(on: server) { (c: RawHTTPConnection) async throws in
            let ok = try c.request("GET", "/static/app.js", [("Accept-Encoding", "br")])
            let etag = try #require(ok["etag"])
            let responses = [
                try c.request("GET", "/static/app.js"),
                try c.request("HEAD", "/static/app.js", [("Accept-Encoding", "gzip")]),
                try c.request("GET", "/static/app.js", [("Accept-Encoding", "br"), ("If-None-Match", etag)]),
                try c.request("GET", "/static/app.js", [("Range", "bytes=0-9")]),
                try c.request("GET", "/static/app.js", [("Range", "bytes=5000-")]),
                try c.request("GET", "/static/app.js", [("If-Match", "\"nope\"")]),
            ]
            #expect(responses.map(\.status) == [200, 200, 304, 206, 416, 412])
            for r in responses { #expect(r["vary"] == "Accept-Encoding", "\(r.status)") }
        }
    }
}
