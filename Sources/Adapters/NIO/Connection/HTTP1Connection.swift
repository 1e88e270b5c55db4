import HTTPTypes
import NIOCore
import WhiteNoise

/// The rules of one connection of the standalone server, apart from any I/O: the NIO
/// `StaticFileServerHandler` and the epoll `EpollConnection` tell it what happened (bytes,
/// output queued or sent, FIN, shutdown, the clock) and carry out what it answers
/// (Docs/architecture.md, "One connection core"). Times are monotonic nanoseconds.
struct HTTP1Connection {
    /// Where the connection is in its life.
    enum Phase: Equatable {
        /// Reading requests and answering them.
        case open
        /// The last response is queued (`Connection: close`, a bad head, a shutdown): nothing
        /// more is read; the connection lingers once its output is out.
        case closingAfterOutput
        /// The output side is shut. What the peer still sends is dropped until it closes, or
        /// until the linger time is up (closing at once would make the kernel answer unread
        /// bytes with a reset, which can destroy the response before the peer has read it).
        case lingering(since: Int64)
    }

    /// What the received bytes hold next.
    enum Step {
        /// A response to send, with what it says of the connection. After a `.close` the
        /// phase is ``Phase/closingAfterOutput``.
        case respond(StaticResponse, HeadTail.Persistence)
        /// A request whose answer may block on the file system (autorefresh, a file's first
        /// use): the driver computes ``Request/response()`` where blocking is allowed, sends
        /// it, and reads the next step only then, so responses keep their order.
        case respondMayBlock(Request, HeadTail.Persistence)
        /// No complete head yet: keep the unconsumed bytes and read more.
        case needMoreInput
        /// The connection is ending: the bytes were consumed and mean nothing.
        case dropInput
    }

    /// What the driver must do after an event.
    enum Action: Equatable {
        case none
        /// Shut the output side and drop input until the peer closes or ``deadline``.
        case linger
        /// Close the connection now.
        case close
    }

    /// How long a closing connection drops what its peer still sends.
    static let lingerTime: Int64 = 2_000_000_000

    let files: StaticFiles
    /// The bound on waiting: for a whole request head (from the connection's start or the
    /// previous response) and for a peer that takes nothing of a response.
    let timeout: Int64
    /// Whether the driver reports the peer's progress through a response (``progressed(now:)``).
    /// The epoll loop does (each `send`); NIO does not (a `FileRegion` completes only at its
    /// end), so there a response in flight never times out and the head wait starts after it.
    let observesProgress: Bool

    private(set) var phase = Phase.open
    /// Request-body bytes still to be skipped before the next head.
    private(set) var bodyBytesToSkip = 0
    /// Parts of output queued and not yet all taken by the peer.
    private(set) var outputInFlight = 0
    /// The peer has shut its side: nothing more will come.
    private(set) var inputEnded = false
    /// When the wait for the next head began.
    private var waitingSince: Int64
    /// When the peer last took output bytes.
    private var lastProgress: Int64

    init(files: StaticFiles, timeout: Int64, observesProgress: Bool, now: Int64) {
        self.files = files
        self.timeout = max(1, timeout)
        self.observesProgress = observesProgress
        self.waitingSince = now
        self.lastProgress = now
    }

    /// Whether requests are still read and answered.
    var isOpen: Bool { phase == .open }

    /// Handles the next request in `buffer`, consuming its head and as much of its body as
    /// `buffer` holds (bodies are skipped: no request the server answers has one).
    mutating func nextStep(in buffer: inout ByteBuffer, now: Int64) -> Step {
        guard phase == .open else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .dropInput
        }
        if bodyBytesToSkip > 0 {
            let n = min(bodyBytesToSkip, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: n)
            bodyBytesToSkip -= n
            if bodyBytesToSkip > 0 { return .needMoreInput }
        }
        let head: ParsedHead
        do {
            guard let parsed = try HTTP1HeadParser.parse(&buffer) else { return .needMoreInput }
            head = parsed
        } catch {
            phase = .closingAfterOutput
            return .respond(Self.plain(error.status, isHead: false), .close)
        }
        bodyBytesToSkip = head.contentLength
        waitingSince = now
        let persistence = head.persistence
        if persistence == .close { phase = .closingAfterOutput }
        switch files.respondWithoutBlocking(method: head.method, target: head.target, fields: head.fields) {
        case .response(let response):
            return .respond(response, persistence)
        case .notStatic:
            return .respond(Self.notFound(isHead: head.isHead), persistence)
        case .mayBlock:
            return .respondMayBlock(Request(files: files, method: head.method, target: head.target, fields: head.fields,
                                            isHead: head.isHead), persistence)
        }
    }

    /// A request to answer where blocking is allowed.
    struct Request: Sendable {
        let files: StaticFiles
        let method: HTTPRequest.Method
        let target: String
        let fields: RequestFields
        let isHead: Bool

        /// The engine's answer, or a 404; may block on the file system.
        func response() -> StaticResponse {
            files.respond(method: method, target: target, fields: fields) ?? HTTP1Connection.notFound(isHead: isHead)
        }
    }

    /// The driver handed output to the socket that the peer has not all taken yet.
    mutating func outputQueued(now: Int64) {
        if outputInFlight == 0 { lastProgress = now }
        outputInFlight += 1
    }

    /// The peer took some output.
    mutating func progressed(now: Int64) {
        lastProgress = now
    }

    /// One part of output queued with ``outputQueued(now:)`` is all out. When nothing else is
    /// in flight the wait for the next head starts, or a closing connection lingers.
    mutating func outputSent(now: Int64) -> Action {
        outputInFlight -= 1
        lastProgress = now
        guard outputInFlight == 0 else { return .none }
        waitingSince = now
        return lingerIfDone(now: now)
    }

    /// A graceful shutdown: what is queued goes out, then the connection ends as after
    /// `Connection: close`; requests not yet read are not answered. An idle connection
    /// lingers at once.
    mutating func quiesce(now: Int64) -> Action {
        guard phase == .open else { return .none }
        phase = .closingAfterOutput
        return lingerIfDone(now: now)
    }

    /// The peer shut its side (a FIN): no more requests will come. The requests already
    /// received are still answered (the driver hands them over first), then the connection
    /// closes; there is nothing to linger for. A driver whose writes may be unflushed queues a
    /// part of output first (as for ``quiesce(now:)``).
    mutating func inputClosed(now: Int64) -> Action {
        inputEnded = true
        switch phase {
        case .lingering:
            return .close
        case .closingAfterOutput:
            return .none
        case .open:
            phase = .closingAfterOutput
            return lingerIfDone(now: now)
        }
    }

    private mutating func lingerIfDone(now: Int64) -> Action {
        guard phase == .closingAfterOutput, outputInFlight == 0 else { return .none }
        phase = .lingering(since: now)
        return inputEnded ? .close : .linger
    }

    /// When the connection is to be closed if nothing moves it on before; `.max` while a
    /// response is in flight whose progress is not observed (check again later).
    var deadline: Int64 {
        switch phase {
        case .lingering(let since):
            return since + min(timeout, Self.lingerTime)
        case .open, .closingAfterOutput:
            if outputInFlight > 0 { return observesProgress ? lastProgress + timeout : .max }
            return waitingSince + timeout
        }
    }

    /// The server's 404, to GET and to HEAD, with its HTTP/1.1 head serialised once: a miss
    /// costs no more than a hit.
    private static let notFoundResponses: (get: StaticResponse, head: StaticResponse) = {
        func built(_ isHead: Bool) -> StaticResponse {
            var response = plain(.notFound, isHead: isHead)
            response.http1Head = response.serialisedHTTP1Head()
            return response
        }
        return (built(false), built(true))
    }()

    /// The server's 404 for a request that is no static file.
    static func notFound(isHead: Bool) -> StaticResponse {
        isHead ? notFoundResponses.head : notFoundResponses.get
    }

    /// A small plain-text response of the server's own (400, 404, 431, 505), never cached by
    /// a CDN.
    static func plain(_ status: HTTPResponse.Status, isHead: Bool) -> StaticResponse {
        let text = "\(status.code) \(status.reasonPhrase)\n"
        var fields = HTTPFields()
        fields[.contentType] = "text/plain; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[.contentLength] = String(text.utf8.count)
        return StaticResponse(status: status, headerFields: fields, body: isHead ? .empty : .bytes(ByteBuffer(string: text)))
    }
}
