// Minimal reproduction: Hummingbird streaming 8 MB per request to slow readers.
// Knobs (env): CHUNK (bytes, default 131072), MODE = file | alloc | slice | hbfile,
// WM_LOW / WM_HIGH (set writeBufferWaterMark on each child channel), BARRIER=1 (after each
// write, await an event-loop round trip so the writer's writability flag is current).
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

let env = ProcessInfo.processInfo.environment
let chunkSize = Int(env["CHUNK"] ?? "") ?? 131072
let mode = env["MODE"] ?? "file"
let wmLow = Int(env["WM_LOW"] ?? "")
let wmHigh = Int(env["WM_HIGH"] ?? "")
let barrier = env["BARRIER"] == "1"
let port = Int(env["PORT"] ?? "") ?? 8099
let dir = env["DIR"] ?? "/tmp/hbrepro/public"
let path = dir + "/big.bin"
let size = 8 * 1024 * 1024

// Track live child channels to report what NIO holds in its outbound buffer.
final class Registry: Sendable {
    let channels = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    let yielded = NIOLockedValueBox<Int>(0)
}
let registry = Registry()
@_silgen_name("malloc_stats") func malloc_stats()

final class Tracker: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    func handlerAdded(context: ChannelHandlerContext) {
        let ch = context.channel
        registry.channels.withLockedValue { $0[ObjectIdentifier(ch)] = ch }
        if let wmLow, let wmHigh {
            _ = ch.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: wmLow, high: wmHigh))
        }
    }
    func channelInactive(context: ChannelHandlerContext) {
        let ch = context.channel
        registry.channels.withLockedValue { $0[ObjectIdentifier(ch)] = nil }
        context.fireChannelInactive()
    }
}

struct Ctx: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

let template: ByteBuffer = {
    var b = ByteBufferAllocator().buffer(capacity: size)
    b.writeRepeatingByte(0x61, count: size)
    return b
}()

let router = Router(context: Ctx.self)
if mode == "hbfile" {
    router.add(middleware: FileMiddleware(dir, searchForIndexHtml: false))
}
router.get("/stats") { _, _ -> String in
    let chans = registry.channels.withLockedValue { Array($0.values) }
    var buffered = 0
    var unwritable = 0
    for ch in chans {
        buffered += (try? await ch.getOption(ChannelOptions.bufferedWritableBytes).get()) ?? 0
        if !ch.isWritable { unwritable += 1 }
    }
    malloc_stats()  // glibc: per-arena system/in-use bytes to stderr
    return "channels=\(chans.count) nioBuffered=\(buffered) unwritable=\(unwritable) yielded=\(registry.yielded.withLockedValue { $0 })\n"
}
router.get("/stream") { _, ctx -> Response in
    let channel = ctx.channel
    let body = ResponseBody(contentLength: size) { writer in
        let fd = mode == "file" ? open(path, O_RDONLY) : -1
        defer { if fd >= 0 { close(fd) } }
        var offset = 0
        while offset < size {
            let count = min(chunkSize, size - offset)
            let at = offset
            let chunk: ByteBuffer
            switch mode {
            case "file":
                chunk = try await NIOThreadPool.singleton.runIfActive {
                    var b = ByteBufferAllocator().buffer(capacity: count)
                    let n = b.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { p in
                        max(0, pread(fd, p.baseAddress, count, off_t(at)))
                    }
                    precondition(n == count)
                    return b
                }
            case "alloc":
                var b = ByteBufferAllocator().buffer(capacity: count)
                b.writeRepeatingByte(0x61, count: count)
                chunk = b
            default:  // slice: shares the template's storage, allocates nothing
                chunk = template.getSlice(at: at, length: count)!
            }
            try await writer.write(chunk)
            registry.yielded.withLockedValue { $0 += count }
            if barrier { try await channel.eventLoop.submit {}.get() }
            offset += count
        }
        try await writer.finish(nil)
    }
    return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
}

let app = Application(
    router: router,
    server: .http1(configuration: .init(additionalChannelHandlers: [Tracker()])),
    configuration: .init(address: .hostname("127.0.0.1", port: port))
)
print("pid \(getpid()) mode=\(mode) chunk=\(chunkSize) wm=\(String(describing: wmLow))/\(String(describing: wmHigh)) barrier=\(barrier)")
try await app.runService()
