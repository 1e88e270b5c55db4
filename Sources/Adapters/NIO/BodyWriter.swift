import NIOCore
import WhiteNoise

/// Writes a `StaticResponse.Body` into a channel: its ``BodySegment``s, buffers as they are and
/// file slices as `FileRegion`s (sendfile), each file closed once its last region is sent.
/// Shared by the pipeline handler and the NIO server's connection handler.
enum BodyWriter {
    /// Writes `body`; `wrap` turns `IOData` into what the next outbound handler expects.
    /// `regionQueued` is called for each file region written and `regionDone` when it is
    /// sent (or failed). Returns `false`, having closed the channel, when the body's file was
    /// already handed out.
    @discardableResult
    static func write(_ body: StaticResponse.Body, context: ChannelHandlerContext, wrap: (IOData) -> NIOAny,
                      regionQueued: () -> Void = {}, regionDone: @escaping () -> Void = {}) -> Bool {
        var handle: (descriptor: Int32, handle: NIOFileHandle)?
        let complete = body.forEachSegment { segment in
            switch segment {
            case .bytes(let bytes):
                context.write(wrap(.byteBuffer(bytes)), promise: nil)
            case .file(let descriptor, let offset, let end, let closes):
                if handle?.descriptor != descriptor {
                    handle = (descriptor, NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor))
                }
                let fileHandle = handle!.handle
                let region = FileRegion(fileHandle: fileHandle, readerIndex: Int(offset), endIndex: Int(end))
                regionQueued()
                context.write(wrap(.fileRegion(region))).assumeIsolatedUnsafeUnchecked().whenComplete { result in
                    regionDone()
                    if closes { try? fileHandle.close() }
                    // A file that shrank mid-send cannot honour its Content-Length: end the connection.
                    if case .failure = result { context.close(promise: nil) }
                }
            }
        }
        if !complete { context.close(promise: nil) }
        return complete
    }
}
