#if Hummingbird
public import Hummingbird
public import Logging
import NIOPosix
@_exported public import WhiteNoise
@_exported public import WhiteNoiseSettings

/// Serves static files in a Hummingbird app: static hits never reach the routes, misses pass
/// through untouched.
///
/// ```swift
/// router.add(middleware: try WhiteNoiseMiddleware(settings: .load()))
/// ```
/// All HTTP decisions are the engine's (`StaticFiles`); this only translates. Small files
/// go out from memory in one write, large ones are read in chunks on NIO's thread pool as the
/// client takes them (Hummingbird has no sendfile path), when the context is a
/// ``ChannelRequestContext`` (such as ``WhiteNoiseRequestContext``).
public struct WhiteNoiseMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The engine.
    public let files: StaticFiles

    /// A middleware serving `files`.
    public init(files: StaticFiles) {
        self.files = files
    }

    /// A middleware configured from settings (see `WhiteNoiseSettings`).
    public init(settings: WhiteNoiseSettings, logger: Logger = Logger(label: "whitenoise")) throws {
        self.init(files: try StaticFiles(settings: settings, logger: logger))
    }

    /// Answers static hits; passes everything else to `next`.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let answer: StaticResponse?
        let head = request.head
        let method = head.method
        let target = head.path ?? ""
        let fields = RequestFields(head.headerFields)
        switch files.respondWithoutBlocking(method: method, target: target, fields: fields) {
        case .response(let response): answer = response
        case .notStatic: answer = nil
        case .mayBlock:  // autorefresh, or a file's first use: off the cooperative pool
            answer = try await NIOThreadPool.singleton.runIfActive { [files] in files.respond(method: method, target: target, fields: fields) }
        }
        guard let answer else { return try await next(request, context) }
        let body: ResponseBody
        switch answer.body {
        case .empty:
            body = ResponseBody()
        case .bytes(let bytes):
            body = ResponseBody(byteBuffer: bytes)
        case .file, .multipart:
            let content = answer.body
            let logger = context.logger
            // A write returns before the channel has seen it; one round trip through the
            // channel's event loop after each chunk lets the writer see that the channel is
            // full before the next chunk is read (Docs/hummingbird.md, "Memory with slow clients").
            let eventLoop = (context as? any ChannelRequestContext)?.channel.eventLoop
            body = ResponseBody(contentLength: Int(content.count)) { writer in
                do {
                    try await content.forEachChunk(offload: { try await NIOThreadPool.singleton.runIfActive($0) }) {
                        try await writer.write($0)
                        try await eventLoop?.submit {}.get()
                    }
                } catch let error as FileChangedError {
                    logger.warning("whitenoise: \(error); the response was cut short and the connection closed")
                    throw error
                }
                try await writer.finish(nil)
            }
        }
        return Response(status: answer.status, headers: answer.headerFields, body: body)
    }
}
#endif
