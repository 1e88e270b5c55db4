import NIOCore
import WhiteNoise

/// One piece of a response body as a connection of the standalone server sends it: a buffer,
/// or a slice of an open file (sent with `sendfile`). The body's file descriptor is taken from
/// the engine once; the last segment that reads it closes it (`closes`), and a driver that
/// drops segments unsent closes those that would have.
enum BodySegment {
    /// Bytes, from their reader index.
    case bytes(ByteBuffer)
    /// `descriptor` from `offset` up to `end`.
    case file(descriptor: Int32, offset: Int64, end: Int64, closes: Bool)
}

extension StaticResponse.Body {
    /// Calls `emit` with each segment of the body, in order. Returns `false`, having emitted
    /// nothing that holds a descriptor, when the body's file was already handed out: the
    /// response cannot be completed and the connection must end.
    func forEachSegment(_ emit: (BodySegment) -> Void) -> Bool {
        switch self {
        case .empty:
            return true
        case .bytes(let bytes):
            emit(.bytes(bytes))
            return true
        case .file(let slice):
            guard let descriptor = slice.file.take() else { return false }
            emit(.file(descriptor: descriptor, offset: slice.offset, end: slice.offset + slice.length, closes: true))
            return true
        case .multipart(let parts):
            // Every part reads the same file: take it once, close it after its last part.
            var descriptor: Int32?
            for part in parts {
                if case .file(let slice) = part {
                    descriptor = slice.file.take()
                    break
                }
            }
            let lastFile = parts.lastIndex { if case .file = $0 { return true } else { return false } }
            if lastFile != nil, descriptor == nil { return false }
            for (index, part) in parts.enumerated() {
                switch part {
                case .bytes(let bytes):
                    emit(.bytes(bytes))
                case .file(let slice):
                    emit(.file(descriptor: descriptor!, offset: slice.offset, end: slice.offset + slice.length,
                               closes: index == lastFile))
                }
            }
            return true
        }
    }
}
