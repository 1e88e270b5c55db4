import Foundation
import HTTPTypes
import Testing
import WhiteNoise
import WhiteNoiseSettings
import WhiteNoiseTestSupport
import NIOCore

/// Settings → engine, as WhiteNoise's Django middleware configures itself.
@Suite struct AutoConfigurationTests {
    func get(_ files: StaticFiles, _ path: String) -> StaticResponse? {
        files.respond(to: HTTPRequest(method: .get, scheme: nil, authority: nil, path: path))
    }

    /// STATIC_ROOT (with a manifest), WHITENOISE_ROOT and two source folders.
    func project() throws -> (TempTree, WhiteNoiseSettings) {
        let tree = try TempTree()
        try tree.write("root/css/app.css", "collected")
        try tree.write("root/css/app.0123456789ab.css", "collected, hashed")
        try tree.write("root/staticfiles.json", #"{"paths": {"css/app.css": "css/app.0123456789ab.css"}, "version": "1.1", "hash": "x"}"#)
        try tree.write("public/robots.txt", "User-agent: *")
        try tree.write("assets/css/app.css", "source one")
        try tree.write("assets/only-in-one.js", "1")
        try tree.write("more/css/app.css", "source two")
        try tree.write("more/only-in-two.js", "2")
        try tree.write("vendor/lib.js", "vendored")
        var s = WhiteNoiseSettings()
        s.staticRoot = tree.root + "/root"
        s.root = tree.root + "/public"
        s.storage = .compressedManifest
        s.staticfilesDirs = [.init(path: tree.root + "/assets"), .init(path: tree.root + "/more"),
                             .init(prefix: "vendor", path: tree.root + "/vendor")]
        return (tree, s)
    }

    @Test func productionServesStaticRootAtTheStaticURLPathAndRootAtSlash() throws {
        let (tree, settings) = try project()
        defer { tree.remove() }
        var s = settings
        s.staticURL = "https://cdn.example.com/static/"
        let files = try StaticFiles(settings: s)
        let hashed = try #require(get(files, "/static/css/app.0123456789ab.css"))
        #expect(hashed.headerFields[.cacheControl] == "max-age=315360000, public, immutable")
        #expect(get(files, "/static/css/app.css")?.headerFields[.cacheControl] == "max-age=60, public")
        #expect(get(files, "/robots.txt")?.status == .ok)
        #expect(get(files, "/static/only-in-one.js") == nil) // no finders in production
        // FORCE_SCRIPT_NAME is stripped from the prefix, as WhiteNoise does.
        s.staticURL = "/sub/static/"
        s.forceScriptName = "/sub"
        #expect(get(try StaticFiles(settings: s), "/static/css/app.css")?.status == .ok)
    }

    @Test func debugServesSourcesFirstWinsWithAutorefreshAndNothingImmutable() throws {
        let (tree, settings) = try project()
        defer { tree.remove() }
        var s = settings
        s.debug = true
        let files = try StaticFiles(settings: s)
        #expect(files.configuration.autorefresh)
        let app = try #require(get(files, "/static/css/app.css"))
        if case .bytes(let b) = app.body { #expect(String(buffer: b) == "source one") } else { Issue.record("body \(app.body)") }
        #expect(app.headerFields[.cacheControl] == "max-age=0, public")
        #expect(get(files, "/static/only-in-two.js")?.status == .ok)
        #expect(get(files, "/static/vendor/lib.js")?.status == .ok)
        #expect(get(files, "/static/css/app.0123456789ab.css")?.headerFields[.cacheControl] == "max-age=0, public")
        // Autorefresh: a file created after start-up is served.
        try tree.write("assets/new.css", "new")
        #expect(get(files, "/static/new.css")?.status == .ok)
    }

    @Test func findersWithoutAutorefreshScanAtStartupAndWinOverStaticRoot() throws {
        let (tree, settings) = try project()
        defer { tree.remove() }
        var s = settings
        s.useFinders = true
        let files = try StaticFiles(settings: s)
        #expect(!files.configuration.autorefresh)
        let app = try #require(get(files, "/static/css/app.css"))
        if case .bytes(let b) = app.body { #expect(String(buffer: b) == "source one") } else { Issue.record("body \(app.body)") }
    }

    @Test func immutableFileTestReplacesTheManifest() throws {
        let (tree, settings) = try project()
        defer { tree.remove() }
        var s = settings
        s.immutableFileTest = #"\.css$"#
        let files = try StaticFiles(settings: s)
        #expect(get(files, "/static/css/app.css")?.headerFields[.cacheControl] == "max-age=315360000, public, immutable")
    }

    @Test func optionsReachTheEngine() throws {
        var s = WhiteNoiseSettings()
        s.maxAge = .none
        s.allowAllOrigins = false
        s.charset = "latin-1"
        s.indexFile = "index.html"
        s.mimeTypes = [".foo": "text/x-foo"]
        let c = StaticFilesConfiguration(settings: s)
        #expect(c.maxAge == nil && !c.allowAllOrigins && c.charset == "latin-1" && c.indexFile == "index.html")
        #expect(c.mimeTypes == [".foo": "text/x-foo"] && !c.autorefresh)
    }
}
