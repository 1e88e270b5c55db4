import Testing
@testable import WhiteNoise

@Suite struct RequestPathTests {
    @Test func decodesAndSplitsQuery() {
        let p = RequestPath(target: "/static/caf%C3%A9.css?v=1&x")
        #expect(p?.path == "/static/café.css")
        #expect(p?.query == "v=1&x")
        #expect(RequestPath(target: "/a+b")?.path == "/a+b")
        #expect(RequestPath(target: "/a#frag")?.path == "/a")
    }

    @Test func absoluteFormKeepsOnlyThePath() {
        #expect(RequestPath(target: "http://example.com/app.css?x=1")?.path == "/app.css")
        #expect(RequestPath(target: "http://example.com")?.path == "/")
        #expect(RequestPath(target: "https://example.com?x")?.path == "/")
    }

    @Test(arguments: ["*", "", "%", "/%", "/%zz", "/%C3", "/%ff%fe", "relative/path"])
    func rejectsTargetsThatCannotNameAFile(_ target: String) {
        #expect(RequestPath(target: target) == nil)
    }

    @Test func canonicalPaths() {
        for ok in ["/", "/a", "/a/b.css", "/a/", "/.hidden", "/a/..b", "/a/b..", "/...", "/caf\u{e9}"] {
            #expect(RequestPath.isCanonical(ok), "\(ok)")
        }
        for bad in ["", "a", "//a", "/a//b", "/./a", "/a/.", "/a/..", "/../x", "/a/../b", "/a\\b", "/a\u{0}b", "/a/./"] {
            #expect(!RequestPath.isCanonical(bad), "\(bad)")
        }
    }

    @Test func percentEncodesLocations() {
        #expect(RequestPath.percentEncode("with index/") == "with%20index/")
        #expect(RequestPath.percentEncode("caf\u{e9}") == "caf%C3%A9")
    }

    @Test func insideCheckIsComponentWise() {
        #expect(LexicalPath.isInside("/a/b/c", root: "/a/b"))
        #expect(LexicalPath.isInside("/a/b", root: "/a/b"))
        #expect(!LexicalPath.isInside("/a/bc", root: "/a/b"))
        #expect(!LexicalPath.isInside("/a/b_disallowed/x", root: "/a/b"))
    }

    @Test func prefixNormalisation() {
        #expect(StaticFiles.normalisePrefix("") == "/")
        #expect(StaticFiles.normalisePrefix("/") == "/")
        for p in ["static", "/static", "static/", "/static/", "//static//"] { #expect(StaticFiles.normalisePrefix(p) == "/static/") }
    }
}

@Suite struct MediaTypeTests {
    let types = MediaTypes()

    @Test func builtInTable() {
        #expect(types.type(forFileName: "app.js") == "text/javascript")
        #expect(types.type(forFileName: "x/APP.CSS") == "text/css")
        #expect(types.type(forFileName: "font.woff2") == "font/woff2")
        #expect(types.type(forFileName: "app.js.map") == "application/json")
        #expect(types.type(forFileName: "site.webmanifest") == "application/manifest+json")
        #expect(types.type(forFileName: "unknown.xyz") == "application/octet-stream")
        #expect(types.type(forFileName: ".htaccess") == "application/octet-stream")
        #expect(types.type(forFileName: "LICENSE") == "application/octet-stream")
        #expect(types.type(forFileName: "static/Apple-App-Site-Association") == "application/pkc7-mime")
    }

    @Test func charsetOnlyForText() {
        #expect(types.contentType(forFileName: "a.css", charset: "utf-8") == "text/css; charset=utf-8")
        #expect(types.contentType(forFileName: "a.json", charset: "utf-8") == "application/json")
        #expect(types.contentType(forFileName: "a.svg", charset: "utf-8") == "image/svg+xml")
        #expect(types.contentType(forFileName: "a.txt", charset: nil) == "text/plain")
    }

    @Test func overridesByExtensionAndName() {
        let t = MediaTypes(overrides: [".js": "application/javascript", "Special-File": "text/x-special", ".NEW": "a/b"])
        #expect(t.type(forFileName: "app.js") == "application/javascript")
        #expect(t.type(forFileName: "dir/special-file") == "text/x-special")
        #expect(t.type(forFileName: "x.new") == "a/b")
    }
}
