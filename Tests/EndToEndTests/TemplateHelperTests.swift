import Foundation
import Logging
import Testing
import WhiteNoise
import WhiteNoiseSettings
import WhiteNoiseTestSupport
import WhiteNoiseStorageTestSupport
#if Vapor
import Leaf
import Vapor
import WhiteNoiseVapor
#endif
#if Hummingbird
import Hummingbird
import Mustache
import NIOCore
import WhiteNoiseHummingbird
#endif

/// The one-call setup of each framework (`app.whiteNoise` in Vapor, `router.whiteNoise` in
/// Hummingbird) in a live app, and its template helper under the same name (`static`).
@Suite(.offCooperativePool) struct TemplateHelperTests {
    func settings(_ tree: TempTree) throws -> WhiteNoiseSettings {
        try tree.write("static/css/app.css", "body{}")
        try tree.write("static/css/app.0123456789ab.css", "body{}")
        try tree.write("static/staticfiles.json", #"{"paths": {"css/app.css": "css/app.0123456789ab.css"}, "version": "1.1", "hash": "x"}"#)
        var s = WhiteNoiseSettings()
        s.staticRoot = tree.root + "/static"
        s.storage = .compressedManifest
        return s
    }

    #if Vapor
    @Test func leafStaticTagInALiveVaporApp() async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("Resources/Views/page.leaf", ##"<link rel="stylesheet" href="#static("css/app.css?v=1&x=2")">"##)
        try tree.write("Resources/Views/broken.leaf", ##"<link href="#static("css/typo.css")">"##)
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        app.directory = DirectoryConfiguration(workingDirectory: tree.root + "/")
        app.views.use(.leaf)
        try app.whiteNoise.configure(settings: try settings(tree))
        app.get("page") { req in try await req.view.render("page") }
        app.get("broken") { req in try await req.view.render("broken") }
        try await withRunningVaporApp(app) { (port: Int) async throws in
            try await offCooperativePool {
                let c = try RawHTTPConnection(port: port)
                let page = try c.request("GET", "/page")
                #expect(page.text == #"<link rel="stylesheet" href="/static/css/app.0123456789ab.css?v=1&amp;x=2">"#)
                let css = try c.request("GET", "/static/css/app.0123456789ab.css")
                #expect(css.status == 200 && css["cache-control"] == "max-age=315360000, public, immutable")
                let broken = try c.request("GET", "/broken")
                #expect(broken.status == 500)
            }
        }
    }

    /// Every integrity helper in a live Vapor app: what each Leaf tag renders is what the
    /// resolver gives (the Mustache test checks the same strings under the same names).
    @Test func leafIntegrityTagsInALiveVaporApp() async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let settings = try StorageFixtures.moduleSite(tree)
        try tree.write("Resources/Views/page.leaf", Self.helperPage(leaf: true))
        try tree.write("Resources/Views/broken.leaf", ##"#stylesheet("css/typo.css")"##)
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        app.directory = DirectoryConfiguration(workingDirectory: tree.root + "/")
        app.views.use(.leaf)
        let urls = try app.whiteNoise.configure(settings: settings)
        app.get("page") { req in try await req.view.render("page", ["nonce": "n0nce"]) }
        app.get("broken") { req in try await req.view.render("broken") }
        try await withRunningVaporApp(app) { (port: Int) async throws in
            try await offCooperativePool {
                let c = try RawHTTPConnection(port: port)
                #expect(try c.request("GET", "/page").text == (try Self.expectedHelperPage(urls)))
                #expect(try c.request("GET", "/broken").status == 500)
            }
        }
    }
    #endif

    /// A page using every helper, in Leaf's or Mustache's syntax.
    static func helperPage(leaf: Bool) -> String {
        func call(_ helper: String, _ argument: String, nonce: Bool = false) -> String {
            leaf ? "#\(helper)(\"\(argument)\"\(nonce ? ", nonce" : ""))" : "{{#\(helper)}}\(argument)\(nonce ? " {{nonce}}" : ""){{/\(helper)}}"
        }
        return [
            leaf ? "#importMap(nonce)" : "{{#importMap}}{{nonce}}{{/importMap}}",
            call("stylesheet", "css/app.css"),
            call("script", "js/legacy.js"),
            call("moduleScript", "js/app.js", nonce: true),
            call("modulePreload", "js/greet.js"),
            "<img src=\"\(call("static", "img/bg.svg"))\" data-integrity=\"\(call("integrity", "img/bg.svg"))\">",
        ].joined(separator: "\n")
    }

    /// What that page must render as.
    static func expectedHelperPage(_ urls: StaticURLs) throws -> String {
        [
            try urls.importMapElement(nonce: "n0nce"),
            try urls.stylesheetElement(for: "css/app.css"),
            try urls.scriptElement(for: "js/legacy.js"),
            try urls.moduleScriptElement(for: "js/app.js", nonce: "n0nce"),
            try urls.modulePreloadElement(for: "js/greet.js"),
            "<img src=\"\(try urls.url(for: "img/bg.svg"))\" data-integrity=\"\(try urls.integrity(for: "img/bg.svg")!)\">",
        ].joined(separator: "\n")
    }

    #if Hummingbird
    @Test func mustacheIntegrityHelpersRenderWhatLeafsTagsRender() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let urls = try StaticURLs(settings: try StorageFixtures.moduleSite(tree))
        let template = try MustacheTemplate(string: Self.helperPage(leaf: false))
        let context: [String: Any] = ["nonce": "n0nce"].merging(urls.mustacheHelpers()) { mine, _ in mine }
        #expect(template.render(context) == (try Self.expectedHelperPage(urls)))
        #expect(Set(urls.mustacheHelpers().keys) == ["static", "integrity", "stylesheet", "script", "moduleScript", "modulePreload", "importMap"])
        // A miss is logged, naming it, and the element is rendered without integrity.
        let recorder = RecordingLogHandler()
        let logger = Logger(label: "test") { _ in recorder }
        let missing = try MustacheTemplate(string: "{{#stylesheet}}css/typo.css{{/stylesheet}}")
        #expect(missing.render(urls.mustacheHelpers(logger: logger)) == #"<link rel="stylesheet" href="/static/css/typo.css">"#)
        #expect(recorder.records.contains { $0.0 == .error && $0.1.contains("css/typo.css") })
    }

    @Test func mustacheStaticHelperInALiveHummingbirdApp() async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let router = Router()
        let urls = try router.whiteNoise.configure(settings: try settings(tree))
        let page = try MustacheTemplate(string: #"<link rel="stylesheet" href="{{#static}}css/app.css{{/static}}"><h1>{{title}}</h1>"#)
        router.get("page") { _, _ -> Response in
            let context: [String: Any] = ["title": "Home"].merging(urls.mustacheHelpers()) { mine, _ in mine }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: page.render(context))))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "test.hummingbird")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: globalConcurrentExecutor) {  // where an app's server runs
                defer { continuation.finish() }
                try await app.runService(gracefulShutdownSignals: [])
            }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            defer { group.cancelAll() }
            try await offCooperativePool {
                let c = try RawHTTPConnection(port: port)
                #expect(try c.request("GET", "/page").text == #"<link rel="stylesheet" href="/static/css/app.0123456789ab.css"><h1>Home</h1>"#)
                let css = try c.request("GET", "/static/css/app.0123456789ab.css")
                #expect(css.status == 200 && css["cache-control"] == "max-age=315360000, public, immutable")
            }
        }
    }

    @Test func mustacheLambdaRendersHashedURLsAndLogsMisses() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let urls = try StaticURLs(settings: try settings(tree))
        let recorder = RecordingLogHandler()
        let logger = Logger(label: "test") { _ in recorder }
        let template = try MustacheTemplate(string: #"<link href="{{#static}}css/app.css{{/static}}"><script src="{{#static}} js/typo.js {{/static}}">"#)
        let html = template.render(["static": urls.mustacheLambda(logger: logger)])
        #expect(html == #"<link href="/static/css/app.0123456789ab.css"><script src="/static/js/typo.js">"#)
        #expect(recorder.records.contains { $0.0 == .error && $0.1.contains("js/typo.js") && $0.1.contains("Missing staticfiles manifest entry") })
    }
    #endif
}
