#if os(Linux)
import Atomics
import CLinuxEvents
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HTTPTypes
import Logging
import NIOCore
import WhiteNoise

/// One thread of the epoll server: accepts from the shared listening socket
/// (`EPOLLEXCLUSIVE`, so one loop wakes per connection), reads, and sends (bytes with `send`,
/// files with `sendfile`). It is an I/O driver for each connection's ``HTTP1Connection``,
/// which decides what the bytes mean, when a connection lingers and when it has waited too
/// long. Sockets are registered once, edge-triggered, for input and output: a request costs
/// one `read` and one `send` and no `epoll_ctl`.
///
/// Back-pressure: nothing more is read from a connection while a response is being sent.
final class EpollLoop: @unchecked Sendable {  // state is touched by the loop's thread only
    let files: StaticFiles
    let logger: Logger
    let listenFD: Int32
    let epollFD: Int32
    /// Written by `stop()` from any thread.
    let wakeFD: Int32
    let live: ManagedAtomic<Int>
    let maximumConnections: Int
    let timeout: Int64
    let sweepInterval: Int64

    @exclusivity(unchecked) var connections: [EpollConnection?] = []
    @exclusivity(unchecked) var generation: UInt32 = 0
    /// Connections that still had input to read when their turn ended (fairness).
    @exclusivity(unchecked) var again: [EpollConnection] = []
    @exclusivity(unchecked) private var receive = ByteBuffer()
    @exclusivity(unchecked) private var out = ByteBuffer()
    @exclusivity(unchecked) private var tail = HeadTail()
    @exclusivity(unchecked) var now: Int64 = 0
    @exclusivity(unchecked) var acceptPausedUntil: Int64?
    /// Connections of this loop that are open.
    @exclusivity(unchecked) var openConnections = 0
    /// Set by `stop(gracePeriod:)`: when the loop closes whatever is still open (monotonic ns).
    @exclusivity(unchecked) var drainDeadline: Int64?
    /// The earliest deadline any `stop(gracePeriod:)` asked for (monotonic ns), read on wake-up.
    private let requestedDeadline = ManagedAtomic<Int64>(.max)
    private static let readSize = 64 * 1024
    private static let coalesceLimit = 16 * 1024
    private static let roundsPerTurn = 16

    init(files: StaticFiles, listenFD: Int32, live: ManagedAtomic<Int>, maximumConnections: Int, requestHeadTimeout: TimeAmount,
         logger: Logger) throws {
        self.files = files
        self.listenFD = listenFD
        self.live = live
        self.maximumConnections = maximumConnections
        self.timeout = max(1, requestHeadTimeout.nanoseconds)
        self.sweepInterval = min(1_000_000_000, max(5_000_000, timeout / 4))
        self.logger = logger
        epollFD = epoll_create1(CLE_EPOLL_CLOEXEC)
        guard epollFD >= 0 else { throw IOError(errnoCode: errno, reason: "epoll_create1") }
        wakeFD = eventfd(0, CLE_EFD_CLOEXEC_NONBLOCK)
        guard wakeFD >= 0 else {
            _ = linuxClose(epollFD)
            throw IOError(errnoCode: errno, reason: "eventfd")
        }
        guard register(wakeFD, events: CLE_EPOLLIN, data: UInt64(UInt32(bitPattern: wakeFD))) else {
            throw IOError(errnoCode: errno, reason: "epoll_ctl")
        }
        guard registerListener() else { throw IOError(errnoCode: errno, reason: "epoll_ctl(listen)") }
    }

    /// The descriptors live as long as the loop object, so `stop()` never writes to a number
    /// that was closed and handed out again.
    deinit {
        _ = linuxClose(epollFD)
        _ = linuxClose(wakeFD)
    }

    /// Asks the loop to stop: it accepts no more connections, closes the idle ones, lets
    /// responses in progress finish for up to `gracePeriod` (ns), then closes what is left and
    /// returns from `run()`. Any thread, any number of times: a shorter period takes over.
    func stop(gracePeriod: Int64) {
        let (sum, overflow) = Self.monotonicNow().addingReportingOverflow(max(0, gracePeriod))
        let deadline = overflow ? Int64.max : sum
        var current = requestedDeadline.load(ordering: .relaxed)
        while deadline < current {  // keep the earliest, whatever order the calls land in
            let (exchanged, found) = requestedDeadline.compareExchange(expected: current, desired: deadline, ordering: .relaxed)
            if exchanged { break }
            current = found
        }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// Runs until, after `stop(gracePeriod:)`, every connection has ended or the deadline has
    /// passed (or `epoll_wait` fails).
    func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        now = Self.monotonicNow()
        var nextSweep = now + sweepInterval
        var running = true
        while running {
            let next = min(nextSweep, drainDeadline ?? .max)
            let wait = again.isEmpty ? Int32(clamping: max(1, (next - now) / 1_000_000)) : 0
            let n = events.withUnsafeMutableBufferPointer { epoll_wait(epollFD, $0.baseAddress, Int32($0.count), wait) }
            now = Self.monotonicNow()
            if n < 0, errno != EINTR {
                logger.critical("whitenoise: epoll_wait failed: errno \(errno)")
                break
            }
            for i in 0..<max(0, Int(n)) {
                let data = events[i].data.u64
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: data))
                if fd == listenFD {
                    acceptConnections()
                } else if fd == wakeFD {
                    var count: UInt64 = 0
                    _ = read(wakeFD, &count, 8)
                    beginDraining()
                } else if let c = connection(fd), c.generation == UInt32(truncatingIfNeeded: data >> 32) {
                    handle(c, events: events[i].events)
                }
            }
            if !again.isEmpty {
                let turn = again
                again.removeAll(keepingCapacity: true)
                for c in turn where c.isOpen { drive(c) }
            }
            if now >= nextSweep {
                sweep()
                nextSweep = now + sweepInterval
            }
            if let deadline = drainDeadline, openConnections == 0 || now >= deadline { running = false }
        }
        if drainDeadline != nil, openConnections > 0 {
            let sending = connections.reduce(0) { $0 + ($1.map { $0.output.isEmpty ? 0 : 1 } ?? 0) }
            logger.warning("whitenoise: \(openConnections) connection\(openConnections == 1 ? "" : "s") still open at the end of the grace period (\(sending) sending a response); closed")
        }
        for case let c? in connections { close(c) }
    }

    /// Stops accepting and ends every connection once its queued output is out (at once for
    /// idle ones); requests not yet answered are not read. The deadline only ever moves closer.
    private func beginDraining() {
        drainDeadline = min(drainDeadline ?? .max, requestedDeadline.load(ordering: .relaxed))
        if acceptPausedUntil == nil { epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil) }
        acceptPausedUntil = .max  // never again: the sweep does not re-register the listener
        for case let c? in connections where c.isOpen && c.core.isOpen {
            if c.core.quiesce(now: now) == .linger { linger(c) }
            drive(c)
        }
    }

    // MARK: Events

    private func handle(_ c: EpollConnection, events: UInt32) {
        if events & CLE_EPOLLERR != 0 { return close(c) }
        if events & (CLE_EPOLLRDHUP | CLE_EPOLLHUP) != 0 { c.peerClosed = true }
        if events & (CLE_EPOLLIN | CLE_EPOLLRDHUP | CLE_EPOLLHUP) != 0 { c.readReady = true }
        drive(c)
    }

    /// Moves a connection on as far as it can go: sends what is queued, answers requests
    /// already received, reads more. Stops when the socket is full or empty; after a bounded
    /// number of rounds it yields to the other connections and comes back.
    func drive(_ c: EpollConnection) {
        for _ in 0..<Self.roundsPerTurn {
            guard c.isOpen else { return }
            if !c.output.isEmpty {
                switch c.send(now: now) {
                case .blocked:
                    return
                case .failed(let fileChanged):
                    if fileChanged { logger.warning("whitenoise: a file changed while being sent; connection closed") }
                    return close(c)
                case .done:
                    if c.core.outputSent(now: now) == .linger { linger(c) }
                }
            }
            if !c.core.isOpen {
                guard c.readReady, readAndServe(c) else { return }
                continue
            }
            if c.input.readableBytes > 0, serveHeldBack(c) { continue }
            guard c.readReady else { return }
            guard readAndServe(c) else { return }
        }
        again.append(c)
    }

    /// Answers complete requests held in `c.input`; whether any response was produced.
    private func serveHeldBack(_ c: EpollConnection) -> Bool {
        var buffer = c.input
        c.input = ByteBuffer()
        let produced = serve(c, &buffer)
        if buffer.readableBytes > 0 { c.input = buffer }
        return produced
    }

    /// One `read`, and the requests in it; `false` when there is nothing more to do now.
    private func readAndServe(_ c: EpollConnection) -> Bool {
        receive.clear()
        var result = 0
        let asked = Self.readSize
        receive.writeWithUnsafeMutableBytes(minimumWritableBytes: asked) { buffer in
            result = recv(c.fd, buffer.baseAddress, asked, 0)
            return max(result, 0)
        }
        if result == 0 {
            close(c)
            return false
        }
        if result < 0 {
            if errno == EINTR { return true }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                c.readReady = false
                return false
            }
            close(c)
            return false
        }
        // A short read drained the socket; the next bytes bring a new edge. A peer that has
        // half-closed sends no more edges: read on, once its responses are out, to see the end.
        if result < asked, !c.peerClosed { c.readReady = false }
        if !c.core.isOpen { return true }  // closing: what arrives now is discarded
        if c.input.readableBytes == 0 {
            _ = serve(c, &receive)
            if receive.readableBytes > 0, c.isOpen { c.input.writeBuffer(&receive) }
        } else {
            // Held-back bytes keep only what is unread, so a stream of pipelined requests cut at
            // arbitrary points does not grow the buffer.
            c.input.discardReadBytes()
            c.input.writeBuffer(&receive)
            _ = serveHeldBack(c)
        }
        return true
    }

    /// Answers every complete request in `buffer` until a response has to be queued (a file,
    /// a large body): the rest waits in the buffer until that response is out.
    private func serve(_ c: EpollConnection, _ buffer: inout ByteBuffer) -> Bool {
        var produced = false
        loop: while c.output.isEmpty, c.isOpen {
            switch c.core.nextStep(in: &buffer, now: now) {
            case .respond(let response, let persistence):
                append(response, persistence: persistence, to: c)
                produced = true
            case .respondMayBlock(let request, let persistence):
                // The loop's own thread: a first use or an autorefresh lookup blocks this
                // loop's connections for its duration, as a file read does in nginx.
                append(request.response(), persistence: persistence, to: c)
                produced = true
            case .needMoreInput, .dropInput:
                break loop
            }
        }
        if !c.isOpen {
            out.clear()
        } else if out.readableBytes > 0 || !c.output.isEmpty {
            c.core.outputQueued(now: now)
            sendOut(c)
        }
        return produced
    }

    /// Adds a response: small ones are gathered in `out` (one `send` for a batch of
    /// pipelined requests), bodies that are files or large buffers are queued on `c`.
    private func append(_ response: StaticResponse, persistence: HeadTail.Persistence, to c: EpollConnection) {
        out.writeImmutableBuffer(response.serialisedHTTP1Head())
        out.writeImmutableBuffer(tail.bytes(persistence))
        switch response.body {
        case .empty:
            break
        case .bytes(let bytes) where bytes.readableBytes <= Self.coalesceLimit:
            out.writeImmutableBuffer(bytes)
        default:
            queueOut(c)
            let complete = response.body.forEachSegment { c.output.append($0) }
            if !complete {
                // The engine's file was already handed out: this response cannot be completed.
                return close(c)
            }
        }
        if out.readableBytes >= Self.coalesceLimit { queueOut(c) }
    }

    /// Sends `out` at once when nothing is queued before it (the common case: no copy, and
    /// the buffer is reused); whatever the socket does not take is queued.
    private func sendOut(_ c: EpollConnection) {
        if c.output.isEmpty {
            let n = out.withUnsafeReadableBytes { linuxSend(c.fd, $0, CLE_MSG_NOSIGNAL) }
            if n == out.readableBytes {
                out.clear()
                if c.core.outputSent(now: now) == .linger { linger(c) }
                return
            }
            if n > 0 {
                c.core.progressed(now: now)
                out.moveReaderIndex(forwardBy: n)
            } else if errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                out.clear()
                return close(c)
            }
        }
        queueOut(c)
    }

    /// Hands `out`'s bytes to `c`'s queue; the loop continues with a new buffer.
    private func queueOut(_ c: EpollConnection) {
        guard out.readableBytes > 0 else { return }
        c.output.append(.bytes(out))
        out = ByteBuffer()
    }
}
#endif
