import HTTPTypes
import NIOCore
import WhiteNoise

/// The standalone server's connection handler: raw bytes in, raw HTTP/1.1 out. Request heads
/// are parsed in place (`HTTP1HeadParser`), precomputed response heads are written as they
/// are, and bodies go out as memory or sendfile. Misses get 404 with `Cache-Control: no-store`.
///
/// It also bounds each connection: a whole request head must arrive within
/// `requestHeadTimeout` of the connection's start or the previous response (idle keep-alive
/// and slowloris clients), and it stops reading while the peer is not taking responses.
final class StaticFileServerHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let files: StaticFiles
    private let requestHeadTimeout: TimeAmount
    private var input = ByteBuffer()
    private var bodyBytesToSkip = 0
    private var closing = false
    private var wroteSinceFlush = false
    private var readHeldBack = false
    private var waitingSince: NIODeadline?
    private var deadlineTimer: Scheduled<Void>?
    private var tail = HeadTail()
    /// Responses of this read, coalesced into one buffer: one pipeline write and one iovec
    /// for each batch of small responses.
    private var out: ByteBuffer?
    /// The last batch's buffer, reused once the socket has taken it (no allocation then).
    private var spare = ByteBuffer()
    private static let coalesceLimit = 16 * 1024
    private var body = BodyWriter()

    init(files: StaticFiles, requestHeadTimeout: TimeAmount) {
        self.files = files
        self.requestHeadTimeout = requestHeadTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        startWaitingForHead(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadlineTimer?.cancel()
        deadlineTimer = nil
        waitingSince = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var incoming = unwrapInboundIn(data)
        if input.readableBytes == 0 {
            // The common case: parse NIO's receive buffer in place and keep no reference to
            // it, so NIO can reuse it for the next read instead of allocating a new one.
            process(&incoming, context: context)
            if incoming.readableBytes > 0, !closing {
                input.clear()
                input.writeBuffer(&incoming)
            }
        } else {
            input.writeBuffer(&incoming)
            process(&input, context: context)
            if input.readableBytes == 0 { input.clear() } else if input.readerIndex > 65_536 { input.discardReadBytes() }
        }
    }

    /// Handles every complete request in `buffer`, consuming what it handled.
    private func process(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        while !closing {
            if bodyBytesToSkip > 0 {
                let n = min(bodyBytesToSkip, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: n)
                bodyBytesToSkip -= n
                if bodyBytesToSkip > 0 { return }
            }
            let head: ParsedHead
            do {
                guard let parsed = try HTTP1HeadParser.parse(&buffer) else { return }
                head = parsed
            } catch {
                send(Self.plain(error.status, isHead: false), persistence: .close, context: context)
                return
            }
            waitingSince = nil
            bodyBytesToSkip = head.contentLength
            let response = files.respond(method: head.method, target: head.target, fields: head.fields)
                ?? Self.plain(.notFound, isHead: head.isHead)
            send(response, persistence: head.persistence, context: context)
            if !closing { startWaitingForHead(context) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        writeOut(context)
        if wroteSinceFlush {
            wroteSinceFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// A graceful shutdown (`ChannelShouldQuiesceEvent`): what is already written goes out,
    /// then the connection ends as after `Connection: close`; requests not yet read are not
    /// answered. An idle connection ends at once.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        if !closing { endAfterWrites(context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // Back-pressure: no new requests are read while the peer is not taking our responses.
    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable { context.read() } else { readHeldBack = true }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, readHeldBack {
            readHeldBack = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    private func send(_ response: StaticResponse, persistence: HeadTail.Persistence, context: ChannelHandlerContext) {
        wroteSinceFlush = true
        let head = response.serialisedHTTP1Head()
        var small: ByteBuffer?
        if case .bytes(let b) = response.body, b.readableBytes <= Self.coalesceLimit { small = b }
        var o: ByteBuffer
        if let current = out {
            o = current
        } else {
            o = spare
            spare = ByteBuffer()
            o.clear(minimumCapacity: head.readableBytes + 64 + (small?.readableBytes ?? 0))
        }
        o.writeImmutableBuffer(head)
        o.writeImmutableBuffer(tail.bytes(persistence))
        if let small {
            o.writeImmutableBuffer(small)
            out = o
        } else if case .empty = response.body {
            out = o
        } else {
            out = o
            writeOut(context)
            body.write(response.body, context: context, wrap: { NIOAny($0) }, onRegionDone: { self.body.regionDone() })
        }
        if persistence == .close { endAfterWrites(context) }
    }

    /// Reads no more; once everything written so far is out, the connection lingers and ends.
    private func endAfterWrites(_ context: ChannelHandlerContext) {
        closing = true
        writeOut(context)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer()))).assumeIsolatedUnsafeUnchecked()
            .whenComplete { _ in self.linger(context) }
    }

    private func writeOut(_ context: ChannelHandlerContext) {
        guard let o = out else { return }
        out = nil
        context.write(wrapOutboundOut(.byteBuffer(o)), promise: nil)
        spare = o
    }

    /// The last response is out. Closing now, with bytes from the peer still unread, would
    /// make the kernel send a reset, which can destroy the response before the peer has read
    /// it. So only the output is shut (the peer sees the end of the response); what the peer
    /// still sends is dropped (`closing`), and the channel closes when the peer closes (NIO
    /// closes on end of input) or after `lingerTime`.
    private func linger(_ context: ChannelHandlerContext) {
        deadlineTimer?.cancel()
        deadlineTimer = nil
        context.close(mode: .output).assumeIsolatedUnsafeUnchecked().whenFailure { _ in context.close(promise: nil) }
        let linger = min(requestHeadTimeout, Self.lingerTime)
        _ = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: linger) { context.close(promise: nil) }
    }

    /// How long a closing connection drops what its peer still sends (both backends).
    static let lingerTime = TimeAmount.seconds(2)

    private func startWaitingForHead(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        waitingSince = now
        if deadlineTimer == nil { scheduleDeadlineCheck(at: now + requestHeadTimeout, context) }
    }

    private func scheduleDeadlineCheck(at deadline: NIODeadline, _ context: ChannelHandlerContext) {
        deadlineTimer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) {
            self.deadlineTimer = nil
            guard let since = self.waitingSince else { return }  // busy with a request: re-armed after it
            if self.body.filesInFlight > 0 {
                // A response still being sent is not idleness: start counting once it is out.
                self.startWaitingForHead(context)
                return
            }
            let due = since + self.requestHeadTimeout
            if NIODeadline.now() >= due {
                context.close(promise: nil)
            } else {
                self.scheduleDeadlineCheck(at: due, context)
            }
        }
    }

    /// A small plain-text response of our own (400, 404, 431), never cached by a CDN.
    static func plain(_ status: HTTPResponse.Status, isHead: Bool) -> StaticResponse {
        let text = "\(status.code) \(status.reasonPhrase)\n"
        var fields = HTTPFields()
        fields[.contentType] = "text/plain; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[.contentLength] = String(text.utf8.count)
        return StaticResponse(status: status, headerFields: fields, body: isHead ? .empty : .bytes(ByteBuffer(string: text)))
    }
}
