public import HTTPTypes
public import NIOCore
public import NIOHTTP1
public import WhiteNoise

/// Serves static files in a NIO HTTP/1 pipeline.
///
/// Put it after `configureHTTPServerPipeline()` (the default, `.http1Parts` output): it answers
/// requests for static files itself and passes every other request, unchanged, to the
/// handlers after it. `StaticFileServer` uses the `.raw` output instead: no response encoder
/// in the pipeline, precomputed heads written as bytes, and a 404 for misses.
public final class WhiteNoiseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias InboundOut = HTTPServerRequestPart
    public typealias OutboundIn = HTTPServerResponsePart
    public typealias OutboundOut = HTTPServerResponsePart

    /// How responses leave this handler.
    public enum Output: Sendable {
        /// `HTTPServerResponsePart`s for an `HTTPResponseEncoder`; misses go to the next handler.
        case http1Parts
        /// Raw HTTP/1.1 bytes (`IOData`); misses get `404` with `Cache-Control: no-store`.
        /// Only for pipelines with no response encoder.
        case raw
    }

    private let files: StaticFiles
    private let output: Output
    private let requestHeadTimeout: TimeAmount?
    private var pending: StaticResponse?
    private var forwarding = false
    private var keepAlive = true
    private var isHead = false
    private var wroteSinceFlush = false
    private var closeAfterResponse = false
    /// When the connection started waiting for its next request head (`nil` while a request
    /// is being handled). One timer per connection checks it, so a request costs a clock
    /// read, not a timer.
    private var waitingSince: NIODeadline?
    private var deadlineTimer: Scheduled<Void>?
    private var readHeldBack = false
    /// File regions written but not yet fully sent: the head deadline waits for them.
    private var filesInFlight = 0
    private var tail = HeadTail()

    /// A handler for `files`. `requestHeadTimeout` closes a connection whose next request head
    /// has not fully arrived in time (idle keep-alive connections and slowloris clients).
    public init(files: StaticFiles, output: Output = .http1Parts, requestHeadTimeout: TimeAmount? = .seconds(30)) {
        self.files = files
        self.output = output
        self.requestHeadTimeout = requestHeadTimeout
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startWaitingForHead(context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        startWaitingForHead(context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        deadlineTimer?.cancel()
        deadlineTimer = nil
        waitingSince = nil
        pending = nil
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            waitingSince = nil
            keepAlive = head.isKeepAlive
            isHead = head.method == .HEAD
            guard let request = HTTPRequest(nioHead: head) else {
                pending = Self.plain(.badRequest, isHead: isHead)
                keepAlive = false
                return
            }
            if let response = files.respond(to: request) {
                pending = response
            } else if output == .http1Parts {
                forwarding = true
                context.fireChannelRead(data)
            } else {
                pending = Self.plain(.notFound, isHead: isHead)
            }
        case .body:
            if forwarding { context.fireChannelRead(data) }
        case .end:
            if forwarding {
                forwarding = false
                context.fireChannelRead(data)
            } else if let response = pending {
                pending = nil
                send(response, context: context)
                startWaitingForHead(context)
            }
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if wroteSinceFlush {
            wroteSinceFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard output == .raw else { return context.fireErrorCaught(error) }
        if error is HTTPParserError, context.channel.isActive {
            // Malformed request: answer 400 once, then close.
            keepAlive = false
            send(Self.plain(.badRequest, isHead: false), context: context)
            context.flush()
        } else {
            context.close(promise: nil)
        }
    }

    // Back-pressure: stop reading requests while the peer is not taking our responses.
    public func read(context: ChannelHandlerContext) {
        if context.channel.isWritable { context.read() } else { readHeldBack = true }
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, readHeldBack {
            readHeldBack = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
    }

    private func startWaitingForHead(_ context: ChannelHandlerContext) {
        guard let timeout = requestHeadTimeout else { return }
        let now = NIODeadline.now()
        waitingSince = now
        if deadlineTimer == nil { scheduleDeadlineCheck(at: now + timeout, timeout: timeout, context) }
    }

    private func scheduleDeadlineCheck(at deadline: NIODeadline, timeout: TimeAmount, _ context: ChannelHandlerContext) {
        deadlineTimer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) {
            self.deadlineTimer = nil
            guard let since = self.waitingSince else { return }  // busy with a request: checked again after it
            if self.filesInFlight > 0 {
                // A response still being sent is not idleness: start counting once it is out.
                self.startWaitingForHead(context)
                return
            }
            let due = since + timeout
            if NIODeadline.now() >= due {
                context.close(promise: nil)
            } else {
                self.scheduleDeadlineCheck(at: due, timeout: timeout, context)
            }
        }
    }

    private func send(_ response: StaticResponse, context: ChannelHandlerContext) {
        wroteSinceFlush = true
        let close = !keepAlive
        switch output {
        case .raw:
            context.write(NIOAny(IOData.byteBuffer(response.serialisedHTTP1Head())), promise: nil)
            context.write(NIOAny(IOData.byteBuffer(tail.bytes(close: close))), promise: nil)
            writeBody(response.body, context: context, wrap: { NIOAny($0) })
            if close {
                context.write(NIOAny(IOData.byteBuffer(ByteBuffer()))).whenComplete { _ in context.close(promise: nil) }
            }
        case .http1Parts:
            var headers = HTTPHeaders(response.headerFields)
            headers.add(name: "date", value: HeadTail.date())
            if close { headers.add(name: "connection", value: "close") }
            let status = HTTPResponseStatus(statusCode: response.status.code, reasonPhrase: response.status.reasonPhrase)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            writeBody(response.body, context: context, wrap: { NIOAny(HTTPServerResponsePart.body($0)) })
            if close {
                context.write(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            } else {
                context.write(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    private func writeBody(_ body: StaticResponse.Body, context: ChannelHandlerContext, wrap: (IOData) -> NIOAny) {
        switch body {
        case .empty:
            return
        case .bytes(let bytes):
            context.write(wrap(.byteBuffer(bytes)), promise: nil)
        case .file(let slice):
            guard let fd = slice.file.take() else { return context.close(promise: nil) }
            let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: fd)
            writeRegion(slice, handle: handle, closesHandle: true, context: context, wrap: wrap)
        case .multipart(let parts):
            var handle: NIOFileHandle?
            let lastFileIndex = parts.lastIndex { if case .file = $0 { return true } else { return false } }
            for (index, part) in parts.enumerated() {
                switch part {
                case .bytes(let bytes):
                    context.write(wrap(.byteBuffer(bytes)), promise: nil)
                case .file(let slice):
                    if handle == nil {
                        guard let fd = slice.file.take() else { return context.close(promise: nil) }
                        handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: fd)
                    }
                    writeRegion(slice, handle: handle!, closesHandle: index == lastFileIndex, context: context, wrap: wrap)
                }
            }
        }
    }

    private func writeRegion(_ slice: FileSlice, handle: NIOFileHandle, closesHandle: Bool, context: ChannelHandlerContext,
                             wrap: (IOData) -> NIOAny) {
        let region = FileRegion(fileHandle: handle, readerIndex: Int(slice.offset), endIndex: Int(slice.offset + slice.length))
        filesInFlight += 1
        context.write(wrap(.fileRegion(region))).whenComplete { result in
            self.filesInFlight -= 1
            if closesHandle { try? handle.close() }
            // A file that shrank mid-send cannot honour its Content-Length: end the connection.
            if case .failure = result { context.close(promise: nil) }
        }
    }

    /// A small plain-text response of our own (400, 404), never cached by a CDN.
    static func plain(_ status: HTTPResponse.Status, isHead: Bool) -> StaticResponse {
        let text = "\(status.code) \(status.reasonPhrase)\n"
        var fields = HTTPFields()
        fields[.contentType] = "text/plain; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[.contentLength] = String(text.utf8.count)
        return StaticResponse(status: status, headerFields: fields, body: isHead ? .empty : .bytes(ByteBuffer(string: text)))
    }
}
