import Foundation
public import Logging
public import NIOCore
public import WhiteNoise
public import WhiteNoiseNIO

/// A real `StaticFileServer` (either backend) on a free loopback port, for end-to-end tests.
public final class LiveNIOServer: Sendable {
    /// The bound port.
    public let port: Int
    private let server: StaticFileServer

    private init(port: Int, server: StaticFileServer) {
        self.port = port
        self.server = server
    }

    /// Starts a server for `files` on 127.0.0.1 with a free port.
    public static func start(_ files: StaticFiles, backend: StaticFileServer.Backend = .platformDefault,
                             requestHeadTimeout: TimeAmount = .seconds(30),
                             maximumConnections: Int = 10_000, threads: Int = 1) async throws -> LiveNIOServer {
        var config = StaticFileServer.Configuration()
        config.backend = backend
        config.port = 0
        config.threads = threads
        config.requestHeadTimeout = requestHeadTimeout
        config.maximumConnections = maximumConnections
        var logger = Logger(label: "test.server")
        logger.logLevel = .warning
        let server = StaticFileServer(files: files, configuration: config, logger: logger)
        let address = try await server.start()
        return LiveNIOServer(port: address.port!, server: server)
    }

    /// Stops the server.
    public func stop() async {
        try? await server.shutdown()
    }
}

/// Runs `body` against a live server for `files`, and always stops the server.
public func withLiveServer(_ files: StaticFiles, backend: StaticFileServer.Backend = .platformDefault,
                           requestHeadTimeout: TimeAmount = .seconds(30),
                           _ body: (Int) async throws -> Void) async throws {
    let server = try await LiveNIOServer.start(files, backend: backend, requestHeadTimeout: requestHeadTimeout)
    do {
        try await offCooperativePool { try await body(server.port) }
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// Builds an engine over one root.
public func makeFiles(_ root: String, prefix: String = "/static/", _ configure: (inout StaticFilesConfiguration) -> Void = { _ in },
                      logger: Logger = Logger(label: "test")) throws -> StaticFiles {
    var config = StaticFilesConfiguration()
    configure(&config)
    var files = try StaticFiles(configuration: config, logger: logger)
    files.addFiles(root: root, prefix: prefix)
    return files
}

/// A log handler that records messages, to assert on warnings.
public final class RecordingLogHandler: LogHandler, @unchecked Sendable {
    private let lock = NIOLockedBox()
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace
    /// Recorded (level, message, metadata) triples.
    public var records: [(Logger.Level, String, Logger.Metadata)] { lock.with { $0 } }

    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        lock.with { $0.append((event.level, "\(event.message)", event.metadata ?? [:])) }
    }

    /// Messages logged at `.warning` or above.
    public var warnings: [String] { records.filter { $0.0 >= .warning }.map { "\($0.1) \($0.2)" } }
}

final class NIOLockedBox: @unchecked Sendable {
    private let mutex = NSLock()
    private var value: [(Logger.Level, String, Logger.Metadata)] = []
    func with<T>(_ body: (inout [(Logger.Level, String, Logger.Metadata)]) -> T) -> T {
        mutex.lock()
        defer { mutex.unlock() }
        return body(&value)
    }
}
