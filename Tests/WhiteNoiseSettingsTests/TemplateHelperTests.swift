import Foundation
import Logging
import Testing
import WhiteNoise
import WhiteNoiseSettings
import WhiteNoiseTestSupport
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
@Suite struct TemplateHelperTests {
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
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        do {
            try await offCooperativePool {
            let c = try RawHTTPConnection(port: port)
            let page = try c.request("GET", "/page")
            #expect(page.text == #"<link rel="stylesheet" href="/static/css/app.0123456789ab.css?v=1&amp;x=2">"#)
            let css = try c.request("GET", "/static/css/app.0123456789ab.css")
            #expect(css.status == 200 && css["cache-control"] == "max-age=315360000, public, immutable")
            let broken = try c.request("GET", "/broken")
            #expect(broken.status == 500)
            }
        } catch {
            await app.server.shutdown()
            try await app.asyncShutdown()
            throw error
        }
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    #endif

    #if Hummingbird
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
            group.addTask {
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
