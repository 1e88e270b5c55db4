import NIOCore
import WhiteNoise

/// Writes a `StaticResponse.Body` into a channel: bytes as buffers, file slices as
/// `FileRegion`s (sendfile), closing each file once its last region is sent. Shared by the
/// pipeline handler and the standalone server.
struct BodyWriter {
    /// Regions written and not yet fully sent.
    private(set) var filesInFlight = 0

    /// Writes `body`; `wrap` turns `IOData` into what the next outbound handler expects.
    mutating func write(_ body: StaticResponse.Body, context: ChannelHandlerContext, wrap: (IOData) -> NIOAny,
                        onRegionDone: @escaping () -> Void) {
        switch body {
        case .empty:
            return
        case .bytes(let bytes):
            context.write(wrap(.byteBuffer(bytes)), promise: nil)
        case .file(let slice):
            guard let fd = slice.file.take() else { return context.close(promise: nil) }
            let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: fd)
            writeRegion(slice, handle: handle, closesHandle: true, context: context, wrap: wrap, onRegionDone: onRegionDone)
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
                    writeRegion(slice, handle: handle!, closesHandle: index == lastFileIndex, context: context, wrap: wrap,
                                onRegionDone: onRegionDone)
                }
            }
        }
    }

    /// Called by the owner when a region it was told about completes.
    mutating func regionDone() { filesInFlight -= 1 }

    private mutating func writeRegion(_ slice: FileSlice, handle: NIOFileHandle, closesHandle: Bool, context: ChannelHandlerContext,
                                      wrap: (IOData) -> NIOAny, onRegionDone: @escaping () -> Void) {
        let region = FileRegion(fileHandle: handle, readerIndex: Int(slice.offset), endIndex: Int(slice.offset + slice.length))
        filesInFlight += 1
        context.write(wrap(.fileRegion(region))).assumeIsolatedUnsafeUnchecked().whenComplete { result in
            onRegionDone()
            if closesHandle { try? handle.close() }
            // A file that shrank mid-send cannot honour its Content-Length: end the connection.
            if case .failure = result { context.close(promise: nil) }
        }
    }
}
