import Foundation
import HTTPTypes
import Testing
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import WhiteNoise
import WhiteNoiseNIO
import WhiteNoiseTestSupport
#if Vapor
import Vapor
import WhiteNoiseVapor
#endif
#if Hummingbird
import Hummingbird
import WhiteNoiseHummingbird
#endif

/// The servers the behaviour suite runs against, each over real loopback HTTP: the
/// standalone server (both backends, and autorefresh), an app's own NIO pipeline with
/// `WhiteNoiseHandler`, a Vapor app and a Hummingbird app (each with WhiteNoise in front of a
/// route and a catch-all that answers what WhiteNoise passes on).
enum ServerKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// `StaticFileServer` with each of its backends, the NIO backend with the same files in
    /// autorefresh mode (looked up per request; it must answer as the cached mode does), then
    /// the framework adapters.
    case epoll, nio, autorefresh, pipeline, vapor, hummingbird

    /// The servers of this platform and of the package's enabled traits.
    static var allCases: [ServerKind] {
        var kinds = StaticFileServer.Backend.available.map { $0 == .epoll ? ServerKind.epoll : .nio }
        kinds.append(.autorefresh)
        kinds.append(.pipeline)
        #if Vapor
        kinds.append(.vapor)
        #endif
        #if Hummingbird
        kinds.append(.hummingbird)
        #endif
        return kinds
    }

    /// The servers that build their table once at start-up, for tests of what only that mode
    /// does (hold a file read at start-up, follow any symlink found by the start-up scan);
    /// autorefresh looks every request up on disk, and follows only symlinks that stay inside
    /// the root, as WhiteNoise's autorefresh does.
    static var cachedCases: [ServerKind] { allCases.filter { $0 != .autorefresh } }

    var testDescription: String { rawValue }

    /// Whether a miss reaches an application behind the middleware (which marks its answers
    /// with `X-Answered-By: app`).
    var hasApp: Bool { self == .pipeline || self == .vapor || self == .hummingbird }
}

/// Runs `body` against a live `server` for `files`, and always stops the server.
func withLiveServer(_ files: StaticFiles, on server: ServerKind, _ body: (Int) async throws -> Void) async throws {
    switch server {
    case .epoll:
        try await WhiteNoiseTestSupport.withLiveServer(files, backend: .epoll, body)
    case .nio:
        try await WhiteNoiseTestSupport.withLiveServer(files, backend: .nio, body)
    case .autorefresh:
        try await WhiteNoiseTestSupport.withLiveServer(try files.autorefreshing(), backend: .nio, body)
    case .pipeline:
        try await withPipelineServer(files) { port in try await offCooperativePool { try await body(port) } }
    case .vapor:
        #if Vapor
        try await withVaporServer(files) { port in try await offCooperativePool { try await body(port) } }
        #endif
    case .hummingbird:
        #if Hummingbird
        try await withHummingbirdServer(files) { port in try await offCooperativePool { try await body(port) } }
        #endif
    }
}

private func quietLogger(_ label: String) -> Logging.Logger {
    var logger = Logging.Logger(label: label)
    logger.logLevel = .critical
    return logger
}

#if Vapor
private func withVaporServer(_ files: StaticFiles, _ body: (Int) async throws -> Void) async throws {
    let app = try await Vapor.Application.make(.testing)
    app.logger = quietLogger("test.vapor")
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = 0
    // Response compression on: the middleware must stop Vapor from re-compressing its bodies
    // (every body and Content-Length assertion of the suite would catch it).
    app.http.server.configuration.responseCompression = .enabled
    app.middleware.use(WhiteNoiseVapor.WhiteNoiseMiddleware(files: files), at: .beginning)
    app.get("app") { _ in "from the app" }
    app.get("static", "shadowed.css") { _ in "from the app" }
    app.on(.GET, "**") { _ -> Vapor.Response in
        Vapor.Response(status: .notFound, headers: ["Cache-Control": "no-store", "X-Answered-By": "app"], body: "not found")
    }
    try await withRunningVaporApp(app, body)
}

/// Starts `app` on a loopback port, runs `body` with the port, and always shuts the app down.
func withRunningVaporApp(_ app: Vapor.Application, _ body: (Int) async throws -> Void) async throws {
    do {
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw TestServerError() }
        try await body(port)
    } catch {
        await app.server.shutdown()
        try await app.asyncShutdown()
        throw error
    }
    await app.server.shutdown()
    try await app.asyncShutdown()
}

#endif

/// A framework's test server did not report its port.
private struct TestServerError: Error {}

#if Hummingbird

private func withHummingbirdServer(_ files: StaticFiles, _ body: (Int) async throws -> Void) async throws {
    let router = Router()
    router.add(middleware: WhiteNoiseHummingbird.WhiteNoiseMiddleware<BasicRequestContext>(files: files))
    router.get("app") { _, _ in "from the app" }
    router.get("static/shadowed.css") { _, _ in "from the app" }
    // Hummingbird's trie does not backtrack from `static/` to `**`: both need the catch-all.
    for pattern in ["**", "static/**"] {
        router.get(RouterPath(pattern)) { _, _ -> Hummingbird.Response in
            Hummingbird.Response(status: .notFound, headers: [.cacheControl: "no-store", HTTPField.Name("X-Answered-By")!: "app"],
                                 body: ResponseBody(byteBuffer: ByteBuffer(string: "not found")))
        }
    }
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Hummingbird.Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
        logger: quietLogger("test.hummingbird"))
    try await withThrowingTaskGroup(of: Void.self) { group in
        // On Swift's pool, where an app's server runs, not on the test's own executor (a test
        // of an `.offCooperativePool` suite would otherwise pass it on to the server's tasks).
        group.addTask(executorPreference: globalConcurrentExecutor) {
            defer { continuation.finish() }  // a server that fails to start ends the wait below
            try await app.runService(gracefulShutdownSignals: [])
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port != 0 else { throw TestServerError() }
        do {
            try await body(port)
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
    }
}
#endif

/// An app's own NIO HTTP/1 pipeline: `configureHTTPServerPipeline()`, `WhiteNoiseHandler`,
/// then an application handler with the routes the framework servers have.
private func withPipelineServer(_ files: StaticFiles, _ body: (Int) async throws -> Void) async throws {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(WhiteNoiseHandler(files: files))
                try channel.pipeline.syncOperations.addHandler(PipelineApp())
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    do {
        try await body(channel.localAddress!.port!)
    } catch {
        try? await channel.close().get()
        throw error
    }
    try await channel.close().get()
}

/// The application behind `WhiteNoiseHandler`: `GET /app` and `GET /static/shadowed.css`
/// answer "from the app", any other GET gets the app's 404 (`X-Answered-By: app`), other
/// methods a plain 404, as the frameworks' routers do.
private final class PipelineApp: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private var head: HTTPRequestHead?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = String(head.uri.prefix { $0 != "?" })
            var headers = HTTPHeaders()
            let status: HTTPResponseStatus
            let text: String
            if head.method == .GET, path == "/app" || path == "/static/shadowed.css" {
                (status, text) = (.ok, "from the app")
            } else if head.method == .GET || head.method == .HEAD {
                (status, text) = (.notFound, "not found")
                headers.add(name: "cache-control", value: "no-store")
                headers.add(name: "x-answered-by", value: "app")
            } else {
                (status, text) = (.notFound, "")
            }
            headers.add(name: "content-length", value: String(text.utf8.count))
            if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil) }
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolatedUnsafeUnchecked().whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
}
