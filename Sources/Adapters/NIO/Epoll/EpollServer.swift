#if os(Linux)
import Atomics
import CLinuxEvents
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import NIOConcurrencyHelpers
import NIOCore
import WhiteNoise

/// The standalone server's Linux backend: one listening socket shared by `threads`
/// `EpollLoop`s, each on its own thread.
final class EpollServer: Sendable {
    private let files: StaticFiles
    private let configuration: StaticFileServer.Configuration
    private let logger: Logger
    private struct State {
        var listenFD: Int32 = -1
        var loops: [EpollLoop] = []
        var running = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = NIOLockedValueBox(State())

    init(files: StaticFiles, configuration: StaticFileServer.Configuration, logger: Logger) {
        self.files = files
        self.configuration = configuration
        self.logger = logger
    }

    /// Binds, starts the loops and returns the bound address.
    func start() throws -> SocketAddress {
        signal(SIGPIPE, SIG_IGN)  // a peer that went away is an EPIPE, not a dead process
        let requested = try SocketAddress.makeAddressResolvingHost(configuration.host, port: configuration.port)
        let fd = socket(Int32(requested.protocol.rawValue), CLE_SOCK_STREAM_NONBLOCK_CLOEXEC, 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = requested.withSockAddr { address, length in bind(fd, address, socklen_t(length)) }
        guard bound == 0, listen(fd, 1024) == 0 else {
            let code = errno
            _ = close(fd)
            throw IOError(errnoCode: code, reason: "bind(\(configuration.host):\(configuration.port))")
        }
        let port = Int(cle_local_port(fd))

        let live = ManagedAtomic(0)
        var loops: [EpollLoop] = []
        do {
            for _ in 0..<max(1, configuration.threads) {
                loops.append(try EpollLoop(files: files, listenFD: fd, live: live, maximumConnections: configuration.maximumConnections,
                                           requestHeadTimeout: configuration.requestHeadTimeout, logger: logger))
            }
        } catch {
            _ = close(fd)
            throw error
        }
        state.withLockedValue {
            $0.listenFD = fd
            $0.loops = loops
            $0.running = loops.count
        }
        for (index, loop) in loops.enumerated() {
            Self.spawn(name: "whitenoise-\(index + 1)") {
                loop.run()
                self.loopEnded()
            }
        }
        logger.info("whitenoise: serving \(files.count) URLs on http://\(configuration.host):\(port) (epoll, \(loops.count) threads)")
        return try SocketAddress(ipAddress: requested.ipAddress ?? configuration.host, port: port)
    }

    /// Refuses new connections from now on, has every loop drain (idle connections close at
    /// once, responses in progress get up to `gracePeriod`), and waits until they are done.
    /// A second call with a shorter period cuts the first one short.
    func shutdown(gracePeriod: TimeAmount) async {
        state.withLockedValue { state in
            // First, so that by the time any connection is closed, a new attempt is refused
            // (rather than left in the backlog). Under the lock, so the last loop to end
            // cannot close the socket first.
            if state.listenFD >= 0 { _ = linuxShutdown(state.listenFD, CLE_SHUT_RD) }
            for loop in state.loops { loop.stop(gracePeriod: gracePeriod.nanoseconds) }
        }
        await waitUntilClosed()
    }

    /// Waits until every loop has ended.
    func waitUntilClosed() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLockedValue { state -> Bool in
                if state.running == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func loopEnded() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            if state.listenFD >= 0 {
                _ = close(state.listenFD)
                state.listenFD = -1
            }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Runs `body` on a new detached thread.
    private static func spawn(name: String, _ body: @escaping @Sendable () -> Void) {
        final class Box {
            let name: String
            let body: @Sendable () -> Void
            init(_ name: String, _ body: @escaping @Sendable () -> Void) {
                self.name = name
                self.body = body
            }
        }
        let box = Unmanaged.passRetained(Box(name, body)).toOpaque()
        #if canImport(Musl)
        var thread: pthread_t? = nil  // a pointer type on Musl
        #else
        var thread = pthread_t()
        #endif
        let result = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            _ = pthread_setname_np(pthread_self(), String(box.name.prefix(15)))
            box.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
        #if canImport(Musl)
        pthread_detach(thread!)
        #else
        pthread_detach(thread)
        #endif
    }
}
#endif
