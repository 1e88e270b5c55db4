public import NIOCore

extension StaticResponse.Body {
    /// The body as a sequence of buffers, for frameworks that cannot send a `FileRegion`
    /// (Vapor, Hummingbird): bytes in memory as they are, file regions read in `chunkSize`
    /// pieces by `offload`, which runs a blocking read where blocking is allowed (a thread
    /// pool: `{ try await threadPool.runIfActive($0) }`). `write` is awaited before the next
    /// chunk is read, so a slow client holds at most one chunk in memory (back-pressure comes
    /// from the framework's writer).
    ///
    /// - Throws: ``FileChangedError`` when a file got shorter than the response promised, or
    ///   was written to before its last chunk was read; the adapter must then abort the
    ///   response rather than complete a body that is no version of the file.
    public func forEachChunk(offload: (@escaping @Sendable () throws -> ByteBuffer) async throws -> ByteBuffer,
                             allocator: ByteBufferAllocator = ByteBufferAllocator(), chunkSize: Int = 128 * 1024,
                             _ write: (ByteBuffer) async throws -> Void) async throws {
        switch self {
        case .empty: return
        case .bytes(let bytes): try await write(bytes)
        case .file(let slice): try await Self.stream(slice, offload: offload, allocator: allocator, chunkSize: chunkSize, write)
        case .multipart(let parts):
            for part in parts {
                switch part {
                case .bytes(let bytes): try await write(bytes)
                case .file(let slice): try await Self.stream(slice, offload: offload, allocator: allocator, chunkSize: chunkSize, write)
                }
            }
        }
    }

    private static func stream(_ slice: FileSlice, offload: (@escaping @Sendable () throws -> ByteBuffer) async throws -> ByteBuffer,
                               allocator: ByteBufferAllocator, chunkSize: Int,
                               _ write: (ByteBuffer) async throws -> Void) async throws {
        var offset = slice.offset
        let end = slice.offset + slice.length
        let file = slice.file
        while offset < end {
            let count = Int(min(Int64(chunkSize), end - offset))
            let at = offset
            let last = at + Int64(count) == end
            let chunk = try await offload { try file.read(offset: at, count: count, allocator: allocator, verifying: last) }
            try await write(chunk)
            offset += Int64(count)
        }
    }
}
