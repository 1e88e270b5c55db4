import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
import WhiteNoise
import WhiteNoiseNIO
import WhiteNoiseTestSupport

/// `WhiteNoiseHandler` inside an ordinary NIO HTTP/1 pipeline (`configureHTTPServerPipeline`)
/// in front of an application handler: static hits are answered, everything else reaches
/// the application untouched.
@Suite(.offCooperativePool) struct PipelineHandlerTests {
    /// A tiny application: answers every request with `app saw <METHOD> <URI> body=<n bytes>`.
    final class EchoApp: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private var head: HTTPRequestHead?
        private var bodyBytes = 0

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): head = h; bodyBytes = 0
            case .body(let b): bodyBytes += b.readableBytes
            case .end:
                let text = "app saw \(head!.method.rawValue) \(head!.uri) body=\(bodyBytes)"
                var headers = HTTPHeaders()
                headers.add(name: "content-length", value: String(text.utf8.count))
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    /// In autorefresh mode (and at every file's first use) the answer is computed on NIO's
    /// thread pool; a miss then reaches the application with all its parts, in order.
    @Test(arguments: [false, true])
    func staticHitsAreServedAndMissesReachTheApplication(autorefresh: Bool) async throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("app.css", String(repeating: "a{}", count: 100))
        try tree.write("big.bin", String(repeating: "B", count: 300_000))
        let files = try makeFiles(tree.root) { c in
            c.maximumInMemoryFileSize = 1024
            c.autorefresh = autorefresh
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(WhiteNoiseHandler(files: files))
                    try channel.pipeline.syncOperations.addHandler(EchoApp())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        do {
            let c = try RawHTTPConnection(port: port)
            let css = try c.request("GET", "/static/app.css", [("Accept-Encoding", "gzip")])
            #expect(css.status == 200 && css.body.count == 300 && css["etag"] != nil && css["date"] != nil)
            let big = try c.request("GET", "/static/big.bin")  // a FileRegion through HTTPResponseEncoder
            #expect(big.status == 200 && big.body.count == 300_000 && big.body.allSatisfy { $0 == UInt8(ascii: "B") })
            let ranged = try c.request("GET", "/static/big.bin", [("Range", "bytes=0-1,10-11")])
            #expect(ranged.status == 206 && ranged["content-type"]?.hasPrefix("multipart/byteranges") == true)
            #expect(try c.request("GET", "/api/users?x=1").text == "app saw GET /api/users?x=1 body=0")
            try c.send("POST /api/items HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
            let answer = try c.readResponse()
            #expect(answer.text == "app saw POST /api/items body=5")
            #expect(try c.request("GET", "/static/missing.css").text == "app saw GET /static/missing.css body=0")
            try c.send("POST /static/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
            #expect(try c.readResponse().text == "app saw POST /static/upload body=5")
            #expect(try c.request("HEAD", "/static/app.css").status == 200)
            #expect(try c.request("POST", "/static/app.css", [("Content-Length", "0")]).status == 405)
            // Pipelined: a static hit after a miss stays in order.
            try c.send("GET /api/one HTTP/1.1\r\nHost: x\r\n\r\nGET /static/app.css HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().text == "app saw GET /api/one body=0")
            #expect(try c.readResponse().body.count == 300)
        } catch {
            try? await channel.close().get()
            try? await group.shutdownGracefully()
            throw error
        }
        try await channel.close().get()
        try await group.shutdownGracefully()
    }
}
