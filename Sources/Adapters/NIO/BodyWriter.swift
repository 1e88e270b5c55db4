import NIOCore
import WhiteNoise

/// Writes a `StaticResponse.Body` into a channel: its ``BodySegment``s, buffers as they are and
/// file slices as `FileRegion`s (sendfile), each file closed once its last region is sent.
/// Shared by the pipeline handler and the NIO server's connection handler.
enum BodyWriter {
    /// How a body was written.
    enum Outcome {
        /// All of it is written (not necessarily flushed).
        case written
        /// Its verified last bytes wait for the regions before them to be sent: `finished`
        /// is called once they are written and flushed. Nothing else may be written meanwhile.
        case pending
        /// The body's file was already handed out, or changed: the channel is closed.
        case failed
    }

    /// Writes `body`; `wrap` turns `IOData` into what the next outbound handler expects.
    /// `regionQueued` is called for each file region written and `regionDone` when it is
    /// sent (or failed).
    @discardableResult
    static func write(_ body: StaticResponse.Body, context: ChannelHandlerContext, wrap: @escaping (IOData) -> NIOAny,
                      regionQueued: () -> Void = {}, regionDone: @escaping () -> Void = {},
                      finished: @escaping () -> Void = {}) -> Outcome {
        var handle: (descriptor: Int32, handle: NIOFileHandle)?
        var lastRegion: EventLoopFuture<Void>?
        var waiting: [BodySegment] = []
        let complete = body.forEachSegment { segment in
            guard waiting.isEmpty else { return waiting.append(segment) }
            switch segment {
            case .bytes(let bytes):
                context.write(wrap(.byteBuffer(bytes)), promise: nil)
            case .file(let descriptor, let offset, let end, let closes, let verify):
                if handle?.descriptor != descriptor {
                    handle = (descriptor, NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor))
                }
                let fileHandle = handle!.handle
                if verify != nil {
                    if lastRegion != nil { return waiting.append(segment) }
                    writeVerified(segment, fileHandle, context: context, wrap: wrap)
                    return
                }
                let region = FileRegion(fileHandle: fileHandle, readerIndex: Int(offset), endIndex: Int(end))
                regionQueued()
                let written = context.write(wrap(.fileRegion(region)))
                lastRegion = written
                written.assumeIsolatedUnsafeUnchecked().whenComplete { result in
                    regionDone()
                    if closes { try? fileHandle.close() }
                    if case .failure = result { context.close(promise: nil) }
                }
            }
        }
        guard complete else {
            context.close(promise: nil)
            return .failed
        }
        guard let lastRegion, !waiting.isEmpty, let fileHandle = handle?.handle else { return .written }
        lastRegion.assumeIsolatedUnsafeUnchecked().whenComplete { result in
            guard case .success = result, context.channel.isActive else {
                try? fileHandle.close()
                return
            }
            for segment in waiting {
                if case .bytes(let bytes) = segment {
                    context.write(wrap(.byteBuffer(bytes)), promise: nil)
                } else if !writeVerified(segment, fileHandle, context: context, wrap: wrap) {
                    return
                }
            }
            context.flush()
            finished()
        }
        return .pending
    }

    /// Writes a verified last segment as bytes read now, or closes the channel when the file
    /// is no longer the announced version; closes the file if the segment says so.
    @discardableResult
    private static func writeVerified(_ segment: BodySegment, _ fileHandle: NIOFileHandle, context: ChannelHandlerContext,
                                      wrap: (IOData) -> NIOAny) -> Bool {
        guard case .file(let descriptor, let offset, let end, let closes, let verify?) = segment else { return false }
        let bytes = BodySegment.verifiedBytes(descriptor: descriptor, offset: offset, end: end, snapshot: verify)
        if closes || bytes == nil { try? fileHandle.close() }
        guard let bytes else {
            context.close(promise: nil)
            return false
        }
        context.write(wrap(.byteBuffer(bytes)), promise: nil)
        return true
    }
}
