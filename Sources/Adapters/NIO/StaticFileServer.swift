public import Logging
public import NIOCore
import NIOPosix
public import WhiteNoise
import NIOConcurrencyHelpers

/// A ready-made HTTP/1.1 server that serves a `StaticFiles` engine and answers everything
/// else with `404 Not Found` and `Cache-Control: no-store`. Used by `whitenoise serve`.
///
/// Two backends behave the same on the wire (the same parser, responses, timeouts and
/// limits): SwiftNIO's event loops and channel pipeline (`.nio`, everywhere), and on Linux a
/// dedicated epoll loop (`.epoll`, the default there) that spends about half the CPU time per
/// small response, because a request is one `read`, one engine lookup and one `send`.
public final class StaticFileServer: Sendable {
    /// How connections are driven.
    public enum Backend: String, Sendable, CaseIterable {
        /// SwiftNIO: `ServerBootstrap`, one `StaticFileServerHandler` per channel, `FileRegion`s.
        case nio
        /// Linux only: edge-triggered epoll loops with `send` and `sendfile`.
        case epoll

        /// The backends this platform has, default first.
        public static var available: [Backend] {
            #if os(Linux)
            return [.epoll, .nio]
            #else
            return [.nio]
            #endif
        }

        /// `.epoll` on Linux, `.nio` elsewhere.
        public static var platformDefault: Backend { available[0] }
    }

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
        /// The backend; default `Backend.platformDefault`. `.epoll` off Linux throws at `start()`.
        public var backend: Backend = .platformDefault
        /// How long `shutdown()` lets responses in progress finish before it closes their
        /// connections. Idle connections are ended at once. Default 10 s.
        public var shutdownGracePeriod: TimeAmount = .seconds(10)

        /// The defaults.
        public init() {}
    }

    private let files: StaticFiles
    private let configuration: Configuration
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup?
    private let channel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)
    private let limiter: ConnectionLimiter
    private let groupShutdown = NIOLockedValueBox<Task<Void, any Error>?>(nil)
    #if os(Linux)
    private let epoll: EpollServer?
    private let epollPort: NIOLockedValueBox<Int?> = NIOLockedValueBox(nil)
    #endif

    /// Creates a server; nothing is bound until `start()`.
    public init(files: StaticFiles, configuration: Configuration = .init(), logger: Logger = Logger(label: "whitenoise.server")) {
        self.files = files
        self.configuration = configuration
        self.logger = logger
        self.limiter = ConnectionLimiter(maximum: configuration.maximumConnections)
        let useEpoll = configuration.backend == .epoll
        #if os(Linux)
        self.epoll = useEpoll ? EpollServer(files: files, configuration: configuration, logger: logger) : nil
        #endif  // elsewhere `.epoll` gets no event loops, so `start()` throws `backendUnavailable`
        self.group = useEpoll ? nil : MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
    }

    /// Binds and starts accepting connections; returns the bound address.
    @discardableResult
    public func start() async throws -> SocketAddress {
        #if os(Linux)
        if let epoll {
            let address = try epoll.start()
            epollPort.withLockedValue { $0 = address.port }
            return address
        }
        #endif
        guard let group else { throw StaticFileServerError.backendUnavailable(configuration.backend) }
        let files = self.files
        let timeout = configuration.requestHeadTimeout
        let limiter = self.limiter
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // A peer's FIN is an event (the handler answers what it received, then closes).
            .childChannelOption(.allowRemoteHalfClosure, value: true)
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
    public var localPort: Int? {
        #if os(Linux)
        if epoll != nil { return epollPort.withLockedValue { $0 } }
        #endif
        return channel.withLockedValue { $0?.localAddress?.port }
    }

    /// Waits until the server stops (after `shutdown()`).
    public func waitUntilClosed() async throws {
        #if os(Linux)
        if let epoll { return await epoll.waitUntilClosed() }
        #endif
        guard let ch = channel.withLockedValue({ $0 }) else { return }
        try await ch.closeFuture.get()
    }

    /// Stops gracefully: new connections are refused from the start (the listening socket
    /// closes), idle keep-alive connections are ended at once, and connections busy sending a
    /// response are ended once it is out (ending: the server's FIN, then the client's, at most
    /// 2 s later), or all are closed when `gracePeriod` (default:
    /// `Configuration.shutdownGracePeriod`) is up. Requests not yet answered are not read;
    /// clients retry them elsewhere. Returns when every connection is closed. A second call
    /// with a shorter period (a second Ctrl-C) cuts a running one short.
    public func shutdown(gracePeriod: TimeAmount? = nil) async throws {
        let grace = gracePeriod ?? configuration.shutdownGracePeriod
        #if os(Linux)
        if let epoll { return await epoll.shutdown(gracePeriod: grace) }
        #endif
        if let ch = channel.withLockedValue({ $0 }) { try? await ch.close().get() }
        guard let group else { return }
        // From here the limiter turns away connections that were accepted but not yet
        // admitted, so none can start a response that nothing waits for.
        let children = limiter.beginShutdown()
        for child in children { child.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        let logger = self.logger
        // Neither the wait nor the deadline is bound to an event loop: a second, shorter
        // shutdown may shut the loops down while this one still waits, and a future that
        // must hop to a stopped loop never completes (seen: `serve` hung on a second signal).
        let forced = Task {
            try await Task.sleep(for: .nanoseconds(grace.nanoseconds))
            let open = children.filter(\.isActive)
            if !open.isEmpty {
                logger.warning("whitenoise: \(open.count) connection\(open.count == 1 ? "" : "s") still open at the end of the grace period; closed")
            }
            for child in open { child.close(promise: nil) }
        }
        await limiter.waitUntilAllClosed()
        forced.cancel()
        // Every caller waits for the one shutdown of the loops.
        let stopping = groupShutdown.withLockedValue { task in
            if let task { return task }
            let started = Task { try await group.shutdownGracefully() }
            task = started
            return started
        }
        try await stopping.value
    }
}

/// Why a `StaticFileServer` could not start.
public enum StaticFileServerError: Error, CustomStringConvertible {
    /// The backend does not exist on this platform.
    case backendUnavailable(StaticFileServer.Backend)

    /// A readable explanation.
    public var description: String {
        switch self {
        case .backendUnavailable(let backend): return "the \(backend.rawValue) backend is not available on this platform"
        }
    }
}

/// Counts live connections, closes those over the limit as they arrive, and knows the
/// open ones (for a graceful shutdown).
final class ConnectionLimiter: Sendable {
    private let maximum: Int
    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
        /// Shutdown calls waiting for `open` to empty.
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = NIOLockedValueBox(State())

    init(maximum: Int) { self.maximum = maximum }

    /// Counts `channel` until it closes; returns `false` (and closes it) when over the limit
    /// or after `beginShutdown()`.
    func admit(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let admitted = state.withLockedValue { state -> Bool in
            guard !state.shuttingDown, state.open.count < maximum else { return false }
            state.open[key] = channel
            return true
        }
        guard admitted else {
            channel.close(promise: nil)
            return false
        }
        channel.closeFuture.whenComplete { _ in
            let waiters = self.state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
                state.open.removeValue(forKey: key)
                guard state.open.isEmpty else { return [] }
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        return true
    }

    /// Returns once every admitted connection has closed (call after `beginShutdown()`, so
    /// that none is added). Resumed from the connections' close callbacks, on no particular
    /// event loop, so it completes even when the loops stop right after.
    func waitUntilAllClosed() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let empty = state.withLockedValue { state -> Bool in
                if state.open.isEmpty { return true }
                state.waiters.append(waiter)
                return false
            }
            if empty { waiter.resume() }
        }
    }

    /// Admits no more connections; returns the ones open now.
    func beginShutdown() -> [any Channel] {
        state.withLockedValue { state in
            state.shuttingDown = true
            return Array(state.open.values)
        }
    }
}
