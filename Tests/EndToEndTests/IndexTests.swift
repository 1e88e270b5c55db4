import Testing
import WhiteNoise
import WhiteNoiseTestSupport

/// Docs/architecture.md#http-behaviour row: index files and redirects (in autorefresh too:
/// `ServerKind.autorefresh`).
@Suite(.offCooperativePool) struct IndexTests {
    @Test(arguments: ServerKind.allCases)
    func indexFilesAndRedirects(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("with-index/index.html", "<p>index</p>")
        try tree.write("index.html", "<p>root</p>")
        try tree.write("no-index/other.txt", "x")
        let files = try makeFiles(tree.root) { c in c.indexFile = "index.html" }
        try await withLiveServer(files, on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            let page = try c.request("GET", "/static/with-index/")
            #expect(page.status == 200 && page.text == "<p>index</p>" && page["content-type"] == "text/html; charset=utf-8")
            let toSlash = try c.request("GET", "/static/with-index?a=1&b=2")
            #expect(toSlash.status == 302 && toSlash["location"] == "with-index/?a=1&b=2")
            #expect(toSlash["cache-control"] == "max-age=60, public" && toSlash.body.isEmpty)
            let toDot = try c.request("GET", "/static/with-index/index.html")
            #expect(toDot.status == 302 && toDot["location"] == "./")
            #expect(try c.request("GET", "/static/").text == "<p>root</p>")
            // The prefix without its slash, when the root has an index file.
            let toPrefix = try c.request("GET", "/static?q=1")
            #expect(toPrefix.status == 302 && toPrefix["location"] == "static/?q=1")
            #expect(try c.request("GET", "/static/no-index/").status == 404)
            #expect(try c.request("GET", "/static/no-index").status == 404)
            #expect(try c.request("POST", "/static/with-index", [("Content-Length", "0")]).status == 302)
        }
    }

    @Test(arguments: ServerKind.allCases)
    func withoutIndexFileDirectoriesAreMisses(server: ServerKind) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("d/index.html", "x")
        try await withLiveServer(try makeFiles(tree.root), on: server) { (port: Int) async throws in
            let c = try RawHTTPConnection(port: port)
            #expect(try c.request("GET", "/static/d/").status == 404)
            #expect(try c.request("GET", "/static/d").status == 404)
            #expect(try c.request("GET", "/static/d/index.html").status == 200)
        }
    }
}
