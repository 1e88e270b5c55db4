#if Vapor
import HTTPTypes
public import Vapor
@_exported public import WhiteNoise
@_exported public import WhiteNoiseSettings

/// Serves static files in a Vapor app: static hits never reach routing, misses pass through
/// untouched.
///
/// ```swift
/// app.middleware.use(try WhiteNoiseMiddleware(settings: .load()), at: .beginning)
/// ```
/// All HTTP decisions are the engine's (`StaticFiles`); this only translates. Bodies are
/// marked so that Vapor's response compression never re-compresses them; small files go
/// out from memory, large ones are read in chunks on the app's thread pool as the client
/// takes them (Vapor has no sendfile path).
public struct WhiteNoiseMiddleware: Middleware {
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
    ///
    /// A plain (future-based) middleware, not an `AsyncMiddleware`: a static hit is answered
    /// on the event loop that read it, and every other request goes to `next` as it came, so
    /// the app's own routes pay nothing for this middleware. An `AsyncMiddleware` would start
    /// a task on Swift's cooperative pool for every request, static or not, and wait for a
    /// free pool thread there.
    public func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let method = HTTPRequest.Method(request.method.rawValue) else { return next.respond(to: request) }
        var fields = RequestFields()
        for (name, value) in request.headers { fields.add(name: name, value: value) }
        let target = request.url.string
        switch files.respondWithoutBlocking(method: method, target: target, fields: fields) {
        case .response(let answer):
            return request.eventLoop.makeSucceededFuture(Self.response(answer, request: request))
        case .notStatic:
            return next.respond(to: request)
        case .mayBlock:  // autorefresh, or a file's first use: off the event loop
            return request.application.threadPool.runIfActive(eventLoop: request.eventLoop) { [files, fields] in
                files.respond(method: method, target: target, fields: fields)
            }.flatMap { answer in
                guard let answer else { return next.respond(to: request) }
                return request.eventLoop.makeSucceededFuture(Self.response(answer, request: request))
            }
        }
    }

    static func response(_ answer: StaticResponse, request: Request) -> Response {
        var headers = HTTPHeaders()
        headers.reserveCapacity(answer.headerFields.count)
        for field in answer.headerFields { headers.add(name: field.name.rawName, value: field.value) }
        headers.responseCompression = .disable
        let body: Response.Body
        switch answer.body {
        case .empty:
            body = .empty
        case .bytes(let bytes):
            body = .init(buffer: bytes, byteBufferAllocator: request.byteBufferAllocator)
        case .file, .multipart:
            let threadPool = request.application.threadPool
            let content = answer.body
            let logger = request.logger
            body = .init(managedAsyncStream: { writer in
                do {
                    try await content.forEachChunk(offload: { try await threadPool.runIfActive($0) },
                                                   allocator: request.byteBufferAllocator) {
                        try await writer.writeBuffer($0)
                    }
                } catch let error as FileChangedError {
                    logger.warning("whitenoise: \(error); the response was cut short and the connection closed")
                    throw error
                }
            }, count: Int(content.count), byteBufferAllocator: request.byteBufferAllocator)
        }
        return Response(status: HTTPResponseStatus(statusCode: answer.status.code, reasonPhrase: answer.status.reasonPhrase),
                        version: request.version, headersNoUpdate: headers, body: body)
    }
}
#endif
