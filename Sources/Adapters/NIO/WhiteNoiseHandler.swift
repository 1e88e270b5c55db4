public import NIOCore
public import NIOHTTP1
public import WhiteNoise
import HTTPTypes

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
    private var body = BodyWriter()

    /// A handler serving `files`.
    public init(files: StaticFiles) {
        self.files = files
    }

    /// Answers a request for a static file once its head and end have arrived (its body is
    /// ignored); forwards every part of any other request to the next handler.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
            if let request = HTTPRequest(nioHead: head), let response = files.respond(to: request) {
                pending = response
            } else {
                forwarding = true
                context.fireChannelRead(data)
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

    private func send(_ response: StaticResponse, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headerFields)
        headers.add(name: "date", value: HeadTail.date())
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status.code, reasonPhrase: response.status.reasonPhrase)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        body.write(response.body, context: context, wrap: { NIOAny(HTTPServerResponsePart.body($0)) }, onRegionDone: {})
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolatedUnsafeUnchecked()
                .whenComplete { _ in context.close(promise: nil) }
        }
    }
}
