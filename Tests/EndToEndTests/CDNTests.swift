import Foundation
import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// Docs/cdn.md: the app behind a real caching proxy (Varnish) as a CDN's origin. Hashed files
/// are cached once per encoding (`Vary: Accept-Encoding` respected), conditional requests are
/// answered from the cache with the origin's ETags, and misses are never cached.
@Suite(.offCooperativePool) struct CDNTests {
    static let hashed = "/static/app.0123456789ab.css"

    func xVarnishIDs(_ r: RawResponse) -> Int { (r["x-varnish"] ?? "").split(separator: " ").count }

    @Test(.requires(.varnish), arguments: ServerKind.allCases)
    func cachingProxyKeepsOneCopyPerEncodingAndNeverKeepsMisses(server: ServerKind) async throws {
        _ = try Peer.varnish.require()
        let tree = try TempTree()
        defer { tree.remove() }
        let css = String(repeating: ".a { color: red }\n", count: 200)
        let gzipped = try TempTree.gzip(Data(css.utf8))
        try tree.write("app.0123456789ab.css", css)
        try tree.write("app.0123456789ab.css.gz", gzipped)
        try tree.write("app.0123456789ab.css.br", String(repeating: "b", count: 20))  // smaller than the .gz
        try tree.write("staticfiles.json", #"{"paths": {"app.css": "app.0123456789ab.css"}, "version": "1.1", "hash": "x"}"#)
        try await withLiveServer(try makeFiles(tree.root), on: server) { (originPort: Int) async throws in
            let originETag = try RawHTTPConnection(port: originPort).request("GET", Self.hashed, [("Accept-Encoding", "br")])["etag"]
            let proxy = try CachingProxy(originPort: originPort)
            defer { proxy.stop() }
            let c = try RawHTTPConnection(port: proxy.port)

            let br = try c.request("GET", Self.hashed, [("Accept-Encoding", "br, gzip")])
            #expect(br.status == 200 && br["content-encoding"] == "br" && br.body.count == 20)
            #expect(br["cache-control"] == "max-age=315360000, public, immutable")
            #expect(br["vary"]?.contains("Accept-Encoding") == true)
            #expect(br["etag"] == originETag)  // the origin's ETag passes through unchanged
            #expect(xVarnishIDs(br) == 1)  // fetched from the origin
            let brAgain = try c.request("GET", Self.hashed, [("Accept-Encoding", "br, gzip")])
            #expect(xVarnishIDs(brAgain) == 2 && brAgain.body == br.body)  // served from the cache

            // Another encoding is another cached variant, never the br bytes.
            let gz = try c.request("GET", Self.hashed, [("Accept-Encoding", "gzip")])
            #expect(gz["content-encoding"] == "gzip" && Data(gz.body) == gzipped && xVarnishIDs(gz) == 1)
            let plain = try c.request("GET", Self.hashed)
            #expect(plain["content-encoding"] == nil && plain.text == css && xVarnishIDs(plain) == 1)
            #expect(xVarnishIDs(try c.request("GET", Self.hashed, [("Accept-Encoding", "gzip")])) == 2)

            // Revalidation is answered by the cache with the origin's per-encoding ETag.
            let revalidated = try c.request("GET", Self.hashed, [("Accept-Encoding", "br, gzip"), ("If-None-Match", br["etag"] ?? "")])
            #expect(revalidated.status == 304 && revalidated.body.isEmpty)

            // A miss (a hashed name the next deploy may create) is never kept.
            let missing = "/static/app.aaaaaaaaaaaa.css"
            let miss = try c.request("GET", missing)
            #expect(miss.status == 404 && miss["cache-control"] == "no-store")
            let missAgain = try c.request("GET", missing)
            #expect(missAgain.status == 404 && xVarnishIDs(missAgain) == 1)  // asked the origin again
        }
    }
}
