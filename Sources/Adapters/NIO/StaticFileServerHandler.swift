import HTTPTypes
import NIOCore
import NIOPosix
import WhiteNoise

/// The NIO backend's connection handler: raw bytes in, raw HTTP/1.1 out. It is an I/O
/// driver for ``HTTP1Connection``, which decides what the bytes mean and when the connection
/// ends; the handler writes precomputed heads as they are, bodies as memory or `FileRegion`s,
/// and runs the connection's timer.
///
/// Back-pressure: it stops reading while the peer is not taking responses. A request whose
/// answer may block on the file system (autorefresh, a file's first use) is answered on NIO's
/// thread pool; reading stops until its response is written, so responses keep their order.
final class StaticFileServerHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var core: HTTP1Connection
    private var input = ByteBuffer()
    private var wroteSinceFlush = false
    private var readHeldBack = false
    /// A response is being computed on the thread pool, or the verified end of a body waits
    /// for the file regions before it: input waits in `input`.
    private var busy = false
    /// The peer has shut its side (handled once a response being computed is written).
    private var peerFinished = false
    private var timer: Scheduled<Void>?
    private var tail = HeadTail()
    /// Responses of this read, coalesced into one buffer: one pipeline write and one iovec
    /// for each batch of small responses.
    private var out: ByteBuffer?
    /// The last batch's buffer, reused once the socket has taken it (no allocation then).
    private var spare = ByteBuffer()
    private static let coalesceLimit = 16 * 1024

    init(files: StaticFiles, requestHeadTimeout: TimeAmount) {
        core = HTTP1Connection(files: files, timeout: requestHeadTimeout.nanoseconds, observesProgress: false,
                               now: Self.now())
    }

    private static func now() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) }

    func channelActive(context: ChannelHandlerContext) {
        armTimer(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard core.isOpen else { return }
        var incoming = unwrapInboundIn(data)
        if busy {
            input.writeBuffer(&incoming)
        } else if input.readableBytes == 0 {
            // The common case: parse NIO's receive buffer in place and keep no reference to
            // it, so NIO can reuse it for the next read instead of allocating a new one.
            process(&incoming, context: context)
            if incoming.readableBytes > 0, core.isOpen {
                input.clear()
                input.writeBuffer(&incoming)
            }
        } else {
            input.writeBuffer(&incoming)
            processInput(context)
        }
    }

    private func processInput(_ context: ChannelHandlerContext) {
        process(&input, context: context)
        if input.readableBytes == 0 { input.clear() } else if input.readerIndex > 65_536 { input.discardReadBytes() }
    }

    /// Answers every complete request in `buffer`, consuming what it handled.
    private func process(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        let now = Self.now()
        while true {
            switch core.nextStep(in: &buffer, now: now) {
            case .respond(let response, let persistence):
                guard send(response, persistence: persistence, context: context) else { return }
                if !core.isOpen { return endAfterWrites(context) }
            case .respondMayBlock(let request, let persistence):
                return offload(request, persistence: persistence, context: context)
            case .needMoreInput, .dropInput:
                return
            }
        }
    }

    /// Computes `request`'s response on the thread pool, sends it, then goes on with the input.
    /// The answer being computed counts as output in flight, so the head timeout does not close
    /// the connection while the thread pool works (it is busy with other connections' first
    /// uses, or hashing a large file).
    private func offload(_ request: HTTP1Connection.Request, persistence: HeadTail.Persistence, context: ChannelHandlerContext) {
        busy = true
        core.outputQueued(now: Self.now())
        NIOThreadPool.singleton.runIfActive(eventLoop: context.eventLoop) { request.response() }
            .assumeIsolatedUnsafeUnchecked().whenComplete { result in
                guard context.channel.isActive else { return }
                let response = (try? result.get()) ?? HTTP1Connection.plain(.serviceUnavailable, isHead: request.isHead)
                if self.send(response, persistence: persistence, context: context) {
                    self.resume(context)
                } else {
                    self.flushWritten(context)
                }
                self.sent(context)  // the computation's part of the output, after what it queued
            }
    }

    /// Goes on with the input once the response that made the handler busy is written.
    private func resume(_ context: ChannelHandlerContext) {
        busy = false
        guard context.channel.isActive else { return }
        if core.isOpen { processInput(context) } else { endAfterWrites(context) }
        flushWritten(context)
        if peerFinished, !busy { endOfInput(context) }
        if readHeldBack, !busy, context.channel.isWritable {
            readHeldBack = false
            context.read()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushWritten(context)
        context.fireChannelReadComplete()
    }

    private func flushWritten(_ context: ChannelHandlerContext) {
        writeOut(context)
        if wroteSinceFlush {
            wroteSinceFlush = false
            context.flush()
        }
    }

    /// A graceful shutdown (`ChannelShouldQuiesceEvent`), as ``HTTP1Connection/quiesce(now:)``
    /// says; the peer's FIN (`ChannelEvent.inputClosed`, the server allows half-closure), as
    /// ``HTTP1Connection/inputClosed(now:)`` says, once a response being computed is written.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent {
            peerFinished = true
            if !busy { endOfInput(context) }
            return
        }
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        guard core.isOpen else { return }
        // What was written may not be out yet: the end of the flush marks the end of the output.
        let now = Self.now()
        core.outputQueued(now: now)
        _ = core.quiesce(now: now)
        flushThenSent(context)
    }

    private func endOfInput(_ context: ChannelHandlerContext) {
        let wasOpen = core.isOpen
        let now = Self.now()
        if wasOpen { core.outputQueued(now: now) }
        if core.inputClosed(now: now) == .close { return context.close(promise: nil) }
        if wasOpen { flushThenSent(context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // Back-pressure: no new requests are read while the peer is not taking our responses.
    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable, !busy { context.read() } else { readHeldBack = true }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, readHeldBack, !busy {
            readHeldBack = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    /// Writes a response; `false` when its body's verified end waits for the regions before it
    /// (the handler is then busy until it is written).
    private func send(_ response: StaticResponse, persistence: HeadTail.Persistence, context: ChannelHandlerContext) -> Bool {
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
            let outcome = BodyWriter.write(response.body, context: context, wrap: { NIOAny($0) },
                                           regionQueued: { self.core.outputQueued(now: Self.now()) },
                                           regionDone: { self.sent(context) }, finished: { self.resume(context) })
            if case .pending = outcome {
                busy = true
                return false
            }
        }
        return true
    }

    /// The last response is written: once it is out, the connection lingers.
    private func endAfterWrites(_ context: ChannelHandlerContext) {
        core.outputQueued(now: Self.now())
        flushThenSent(context)
    }

    /// Writes what is gathered and flushes; its completion is one part of output sent.
    private func flushThenSent(_ context: ChannelHandlerContext) {
        writeOut(context)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer()))).assumeIsolatedUnsafeUnchecked()
            .whenComplete { _ in self.sent(context) }
    }

    private func sent(_ context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        switch core.outputSent(now: Self.now()) {
        case .none: break
        case .linger: linger(context)
        case .close: context.close(promise: nil)
        }
    }

    private func writeOut(_ context: ChannelHandlerContext) {
        guard let o = out else { return }
        out = nil
        context.write(wrapOutboundOut(.byteBuffer(o)), promise: nil)
        spare = o
    }

    /// Shuts the output side (the peer sees the end of the response); what the peer still
    /// sends is dropped, and the channel closes when the peer closes (`inputClosed`) or at
    /// the core's deadline.
    private func linger(_ context: ChannelHandlerContext) {
        context.close(mode: .output).assumeIsolatedUnsafeUnchecked().whenFailure { _ in context.close(promise: nil) }
        timer?.cancel()
        timer = nil
        armTimer(context)
    }

    /// Closes the connection at the core's deadline, checking again when the deadline moved.
    private func armTimer(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let deadline = core.deadline
        let at = deadline == .max ? Self.now() + core.timeout : deadline
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: NIODeadline.uptimeNanoseconds(UInt64(max(0, at)))) {
            self.timer = nil
            if Self.now() >= self.core.deadline {
                context.close(promise: nil)
            } else {
                self.armTimer(context)
            }
        }
    }
}
