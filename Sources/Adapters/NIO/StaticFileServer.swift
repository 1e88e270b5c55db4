public import Logging
public import NIOCore
import NIOPosix
public import WhiteNoise
import Atomics
import NIOConcurrencyHelpers

/// A ready-made HTTP/1.1 server that serves a `StaticFiles` engine and answers everything
/// else with `404 Not Found` and `Cache-Control: no-store`. Used by `whitenoise serve`.
public final class StaticFileServer: Sendable {
    /// Server settings.
    public struct Configuration: Sendable {
        /// Address to bind. Default `127.0.0.1`.
        public var host: String = "127.0.0.1"
        /// Port to bind; 0 picks a free one (see `localPort`).
        public var port: Int = 8000
        /// Time allowed for a whole request head, from the connection's start or the end of
        /// the previous response (bounds idle keep-alive and slowloris clients). Default 30 s.
        public var requestHeadTimeout: TimeAmount = .seconds(30)
        /// Connections beyond this many are closed on arrival. Default 10,000.
        public var maximumConnections: Int = 10_000
        /// Event-loop threads; default: one per core available to the process.
        public var threads: Int = System.coreCount

        /// The defaults.
        public init() {}
    }

    private let files: StaticFiles
    private let configuration: Configuration
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let channel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)

    /// Creates a server; nothing is bound until `start()`.
    public init(files: StaticFiles, configuration: Configuration = .init(), logger: Logger = Logger(label: "whitenoise.server")) {
        self.files = files
        self.configuration = configuration
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
    }

    /// Binds and starts accepting connections; returns the bound address.
    @discardableResult
    public func start() async throws -> SocketAddress {
        let files = self.files
        let timeout = configuration.requestHeadTimeout
        let limiter = ConnectionLimiter(maximum: configuration.maximumConnections)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Counted without a handler in the pipeline, so requests pay nothing for it.
                    guard limiter.admit(channel) else { return }
                    try channel.pipeline.syncOperations.addHandler(StaticFileServerHandler(files: files, requestHeadTimeout: timeout))
                }
            }
        let bound = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        channel.withLockedValue { $0 = bound }
        logger.info("whitenoise: serving \(files.count) URLs on http://\(configuration.host):\(bound.localAddress?.port ?? configuration.port)")
        return bound.localAddress!
    }

    /// The bound port, once started.
    public var localPort: Int? { channel.withLockedValue { $0?.localAddress?.port } }

    /// Waits until the server stops (after `shutdown()`).
    public func waitUntilClosed() async throws {
        guard let ch = channel.withLockedValue({ $0 }) else { return }
        try await ch.closeFuture.get()
    }

    /// Stops accepting, closes the listening socket, then shuts the event loops down (which
    /// closes the open connections).
    public func shutdown() async throws {
        if let ch = channel.withLockedValue({ $0 }) { try? await ch.close().get() }
        try await group.shutdownGracefully()
    }
}

/// Counts live connections and closes those over the limit as they arrive.
final class ConnectionLimiter: Sendable {
    private let maximum: Int
    private let live = ManagedAtomic(0)

    init(maximum: Int) { self.maximum = maximum }

    /// Counts `channel` until it closes; returns `false` (and closes it) when over the limit.
    func admit(_ channel: any Channel) -> Bool {
        let count = live.wrappingIncrementThenLoad(ordering: .relaxed)
        channel.closeFuture.whenComplete { _ in self.live.wrappingDecrement(ordering: .relaxed) }
        if count > maximum {
            channel.close(promise: nil)
            return false
        }
        return true
    }
}
