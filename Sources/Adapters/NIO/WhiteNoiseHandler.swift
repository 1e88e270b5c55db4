public import NIOCore
public import NIOHTTP1
public import WhiteNoise
import HTTPTypes
import NIOPosix

/// Serves static files in any NIO HTTP/1 pipeline.
///
/// Add it after `configureHTTPServerPipeline()`: it answers requests for static files itself
/// and passes every other request, unchanged, to the handlers after it (your application).
/// Pipelining order, timeouts and error responses stay the pipeline's business, as usual.
public final class WhiteNoiseHandler: ChannelInboundHandler, RemovableChannelHandler {
    /// The request parts `configureHTTPServerPipeline()` decodes.
    public typealias InboundIn = HTTPServerRequestPart
    /// The request parts passed on, unchanged, for requests that are not static files.
    public typealias InboundOut = HTTPServerRequestPart
    /// The response parts written for static files.
    public typealias OutboundOut = HTTPServerResponsePart

    private let files: StaticFiles
    private var pending: StaticResponse?
    private var forwarding = false
    private var keepAlive = true
    private var sawEnd = false
    /// The parts of a request whose answer is being computed on the thread pool (autorefresh,
    /// a file's first use): passed on unchanged if it turns out not to be a static file.
    private var held: [NIOAny]?

    /// A handler serving `files`.
    public init(files: StaticFiles) {
        self.files = files
    }

    /// Answers a request for a static file once its head and end have arrived (its body is
    /// ignored); forwards every part of any other request to the next handler. A request whose
    /// answer may block on the file system is answered on NIO's thread pool.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if held != nil {
            held!.append(data)
            if case .end = part { sawEnd = true }
            return
        }
        switch part {
        case .head(let head):
            keepAlive = head.isKeepAlive
            sawEnd = false
            guard let request = HTTPRequest(nioHead: head), let target = request.path else { return forward(data, context) }
            let fields = RequestFields(request.headerFields)
            switch files.respondWithoutBlocking(method: request.method, target: target, fields: fields) {
            case .response(let response):
                pending = response
            case .notStatic:
                forward(data, context)
            case .mayBlock:
                held = [data]
                let files = self.files
                NIOThreadPool.singleton.runIfActive(eventLoop: context.eventLoop) {
                    files.respond(method: request.method, target: target, fields: fields)
                }.assumeIsolatedUnsafeUnchecked().whenComplete { result in
                    self.answered((try? result.get()) ?? nil, context: context)
                }
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
            }
        }
    }

    private func forward(_ data: NIOAny, _ context: ChannelHandlerContext) {
        forwarding = true
        context.fireChannelRead(data)
    }

    /// The thread pool's answer to a held request: send it, or pass the request on.
    private func answered(_ response: StaticResponse?, context: ChannelHandlerContext) {
        guard let parts = held else { return }
        held = nil
        guard context.channel.isActive else { return }
        if let response {
            if sawEnd { send(response, context: context) } else { pending = response }
            return
        }
        forwarding = !sawEnd
        for part in parts { context.fireChannelRead(part) }
        if sawEnd { context.fireChannelReadComplete() }
    }

    private func send(_ response: StaticResponse, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headerFields)
        headers.add(name: "date", value: HeadTail.date())
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status.code, reasonPhrase: response.status.reasonPhrase)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        let outcome = BodyWriter.write(response.body, context: context, wrap: { NIOAny(HTTPServerResponsePart.body($0)) },
                                       finished: { self.end(context) })
        switch outcome {
        case .written: end(context)
        case .pending: context.flush()  // the regions must go out before the verified end
        case .failed: break
        }
    }

    /// Ends the response (after its body's verified end, when that waited).
    private func end(_ context: ChannelHandlerContext) {
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolatedUnsafeUnchecked()
                .whenComplete { _ in context.close(promise: nil) }
        }
    }
}
