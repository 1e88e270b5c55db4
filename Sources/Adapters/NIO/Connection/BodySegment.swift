import NIOCore
import WhiteNoise

/// One piece of a response body as a connection of the standalone server sends it: a buffer,
/// or a slice of an open file (sent with `sendfile`). The body's file descriptor is taken from
/// the engine once; the last segment that reads it closes it (`closes`), and a driver that
/// drops segments unsent closes those that would have.
///
/// The last bytes of a body's file come in a segment of their own with `verify` set: the
/// driver reads them only once every segment before it is sent, and sends them only if the
/// file is still the announced version (``verifiedBytes(descriptor:offset:end:snapshot:)``);
/// otherwise it ends the connection, so a body that mixes two versions is never completed.
enum BodySegment {
    /// Bytes, from their reader index.
    case bytes(ByteBuffer)
    /// `descriptor` from `offset` up to `end`.
    case file(descriptor: Int32, offset: Int64, end: Int64, closes: Bool, verify: FileSnapshot?)

    /// How many of a file's last bytes are sent from a verified read.
    static let verifiedTail: Int64 = 4096

    /// The file slices of `descriptor` for `slice`: the last one verified when `last`.
    static func slices(_ descriptor: Int32, _ slice: FileSlice, closes: Bool, last: Bool) -> [BodySegment] {
        let end = slice.offset + slice.length
        guard last else { return [.file(descriptor: descriptor, offset: slice.offset, end: end, closes: closes, verify: nil)] }
        let split = max(slice.offset, end - verifiedTail)
        let tail = BodySegment.file(descriptor: descriptor, offset: split, end: end, closes: closes, verify: slice.file.snapshot)
        if split == slice.offset { return [tail] }
        return [.file(descriptor: descriptor, offset: slice.offset, end: split, closes: false, verify: nil), tail]
    }

    /// The bytes from `offset` to `end` of `descriptor`, read now, if the file is still the
    /// version `snapshot` describes once they are read: then every byte sent from it before
    /// was of that version too. `nil` when it changed or got shorter.
    static func verifiedBytes(descriptor: Int32, offset: Int64, end: Int64, snapshot: FileSnapshot) -> ByteBuffer? {
        guard let bytes = try? OpenFile.read(descriptor, offset: offset, count: Int(end - offset)),
              OpenFile.isUnchanged(descriptor, since: snapshot) else { return nil }
        return bytes
    }
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
            BodySegment.slices(descriptor, slice, closes: true, last: true).forEach(emit)
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
                    BodySegment.slices(descriptor!, slice, closes: index == lastFile, last: index == lastFile).forEach(emit)
                }
            }
            return true
        }
    }
}
