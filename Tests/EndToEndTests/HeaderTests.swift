import Foundation
import HTTPTypes
import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// Docs/architecture.md#http-behaviour rows: headers on 200, Content-Type, Cache-Control, ETag, HEAD, 405, misses.
@Suite(.offCooperativePool) struct HeaderTests {
    @Test(arguments: ServerKind.allCases)
    func headersOnA200InOrder(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let css = String(repeating: "body { color: red }\n", count: 100)
        try tree.write("css/app.css", css, mtime: 1_700_000_000)
        try tree.write("css/app.css.gz", try TempTree.gzip(Data(css.utf8)), mtime: 1_700_000_000)
        let files = try makeFiles(tree.root) { c in
            c.addHeaders = { fields, path, url in
                if url.hasSuffix(".css") { fields[HTTPField.Name("X-Is-Css-File")!] = "True" }
                #expect(path.hasSuffix("/css/app.css"))
            }
        }
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let r = try RawHTTPConnection(port: port).request("GET", "/static/css/app.css")
            #expect(r.status == 200)
            #expect(r.text == css)
            // The engine's fields in WhiteNoise's order; the server adds Date (and may add Connection).
            let names = r.headers.map { $0.name }.filter { $0.lowercased() != "connection" }
            #expect(names.map { $0.lowercased() == "date" ? "Date" : $0 } == ["Content-Type", "Cache-Control", "Access-Control-Allow-Origin",
                              "X-Is-Css-File", "Vary", "Last-Modified", "ETag", "Content-Length", "Accept-Ranges", "Date"])
            #expect(r["content-type"] == "text/css; charset=utf-8")
            #expect(r["cache-control"] == "max-age=60, public")
            #expect(r["access-control-allow-origin"] == "*")
            #expect(r["vary"] == "Accept-Encoding")
            #expect(r["last-modified"] == "Tue, 14 Nov 2023 22:13:20 GMT")
            #expect(r["content-length"] == String(css.utf8.count))
            #expect(r["accept-ranges"] == "bytes")
            #expect(r["content-encoding"] == nil)
            let etag = try #require(r["etag"])
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && !etag.hasPrefix("W/") && etag.count == 18)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func contentTypesAndCharset(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        for name in ["a.js", "a.json", "a.svg", "a.woff2", "a.map", "a.unknownext", "a.txt", "a.foo"] { try tree.write(name, "x") }
        let files = try makeFiles(tree.root) { c in
            c.charset = "latin-1"
            c.mimeTypes = [".foo": "text/x-foo"]
        }
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            let expected = ["a.js": "text/javascript; charset=latin-1", "a.json": "application/json", "a.svg": "image/svg+xml",
                            "a.woff2": "font/woff2", "a.map": "application/json", "a.unknownext": "application/octet-stream",
                            "a.txt": "text/plain; charset=latin-1", "a.foo": "text/x-foo; charset=latin-1"]
            for (name, type) in expected {
                #expect(try c.request("GET", "/static/\(name)")["content-type"] == type, "\(name)")
            }
        }
    }

    @Test(arguments: ServerKind.allCases)
    func cacheControlVariants(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("app.0123456789ab.css", "a")
        try tree.write("app.css", "a")
        try tree.write("manifested.js", "b")
        try tree.write("staticfiles.json", #"{"paths": {"x.js": "manifested.js"}, "version": "1.1", "hash": "h"}"#)
        let files = try makeFiles(tree.root) { c in c.immutableFileTest = .regex(#"^.+\.[0-9a-f]{12}\..+$"#) }
        let noMaxAge = try makeFiles(tree.root) { c in c.maxAge = nil }
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/app.0123456789ab.css")["cache-control"] == "max-age=315360000, public, immutable")
            #expect(try c.request("GET", "/static/app.css")["cache-control"] == "max-age=60, public")
            #expect(try c.request("GET", "/static/manifested.js")["cache-control"] == "max-age=315360000, public, immutable")
        }
        try await withLiveServer(noMaxAge, on: server) { (port: Int) async throws in
            let r = try RawHTTPConnection(port: port).request("GET", "/static/app.css")
            #expect(r.status == 200 && r["cache-control"] == nil)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func etagsComeFromContentNotMtimeAndDifferPerRepresentation(server: ServerKind) async throws {
        let one = try TempTree("one"), two = try TempTree("two")
        defer { one.remove(); two.remove() }
        let body = String(repeating: "same content ", count: 50)
        try one.write("a.css", body, mtime: 1_000_000_000)
        try two.write("a.css", body, mtime: 1_600_000_000)
        try one.write("a.css.gz", try TempTree.gzip(Data(body.utf8)))
        try two.write("b.css", body + "!")
        let e1 = try await etag(on: server, one.root, "/static/a.css")
        let e2 = try await etag(on: server, two.root, "/static/a.css")
        let e3 = try await etag(on: server, two.root, "/static/b.css")
        let gz = try await etag(on: server, one.root, "/static/a.css", [("Accept-Encoding", "gzip")])
        #expect(e1 == e2)
        #expect(e1 != e3)
        #expect(gz != e1)
    }

    func etag(on server: ServerKind, _ root: String, _ path: String, _ headers: [(String, String)] = []) async throws -> String? {
        var tag: String?
        try await withLiveServer(try makeFiles(root), on: server) { (port: Int) async throws in
            tag = try RawHTTPConnection(port: port).request("GET", path, headers)["etag"]
        }
        return tag
    }

    @Test(arguments: ServerKind.allCases)
    func headSendsHeadersWithoutBody(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("a.txt", "hello world")
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            let head = try c.request("HEAD", "/static/a.txt")
            let get = try c.request("GET", "/static/a.txt")  // same connection: HEAD left no stray body
            #expect(head.status == 200 && get.status == 200)
            #expect(head["content-length"] == "11" && get.text == "hello world")
            #expect(head["etag"] == get["etag"])
        }
    }

    @Test(arguments: ServerKind.allCases)
    func otherMethodsGet405WithAllow(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("a.txt", "hello")
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
                let r = try c.request(method, "/static/a.txt", [("Content-Length", "0")])
                #expect(r.status == 405, "\(method)")
                #expect(r["allow"] == "GET, HEAD")
                #expect(r["access-control-allow-origin"] == nil && r["content-type"] == nil)
            }
        }
    }

    @Test(arguments: ServerKind.allCases)
    func hiddenFilesAreServedAndMissesGet404NoStore(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write(".well-known/security.txt", "contact")
        try tree.write("sub/.keep", "")
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/.well-known/security.txt").text == "contact")
            let empty = try c.request("GET", "/static/sub/.keep")
            #expect(empty.status == 200 && empty["content-length"] == "0")
            let miss = try c.request("GET", "/static/nope.css")
            #expect(miss.status == 404 && miss["cache-control"] == "no-store")
            // Behind a framework, a miss reaches the app untouched.
            #expect(miss["x-answered-by"] == (server.hasApp ? "app" : nil))
            #expect(try c.request("GET", "/static/sub").status == 404)  // a directory is not a file
            #expect(try c.request("GET", "/Static/.well-known/security.txt").status == 404)  // case-sensitive
        }
    }

    /// Static hits never reach routing (the app has a route for the same URL); other routes
    /// still work behind the middleware.
    @Test(arguments: ServerKind.allCases)
    func staticHitsWinOverRoutesAndOtherRoutesStillWork(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("shadowed.css", "from the file")
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            let hit = try c.request("GET", "/static/shadowed.css")
            #expect(hit.text == "from the file" && hit["x-answered-by"] == nil)
            if server.hasApp {
                #expect(try c.request("GET", "/app").text == "from the app")
                #expect(try c.request("POST", "/app")["x-answered-by"] == nil) // not ours: the framework's own 404
            }
        }
    }
}
