#if os(Linux)
import CLinuxEvents
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore

/// One client connection of an `EpollLoop`: its ``HTTP1Connection`` (what the bytes mean and
/// when the connection ends), the bytes of a request head still incomplete (or held back
/// while a response is being sent) and the output still to send, in order. Owned and touched
/// by its loop's thread only.
final class EpollConnection {
    /// How a `send()` call ended.
    enum SendResult {
        /// Everything queued went out.
        case done
        /// The socket is full; an `EPOLLOUT` edge resumes sending.
        case blocked
        /// The peer is gone, or a file no longer holds the version its head announced.
        case failed(fileChanged: Bool)
    }

    let fd: Int32
    /// Distinguishes this connection from a later one given the same descriptor number.
    let generation: UInt32
    @exclusivity(unchecked) var isOpen = true
    /// The connection's rules and state.
    @exclusivity(unchecked) var core: HTTP1Connection
    /// Received bytes not yet handled (an incomplete head, or requests held back).
    @exclusivity(unchecked) var input = ByteBuffer()
    /// Responses not yet fully sent. Nothing more is read while this is not empty.
    @exclusivity(unchecked) var output = CircularBuffer<BodySegment>(initialCapacity: 4)
    /// An `EPOLLIN` edge arrived and the socket may hold unread bytes.
    @exclusivity(unchecked) var readReady = false
    /// The peer has shut its side (`EPOLLRDHUP`): no further edges will say so.
    @exclusivity(unchecked) var peerClosed = false

    init(fd: Int32, generation: UInt32, core: HTTP1Connection) {
        self.fd = fd
        self.generation = generation
        self.core = core
    }

    /// Sends queued output until it is all out or the socket is full. A head followed by a
    /// file goes out with `MSG_MORE`, so it shares a segment with the file's first bytes.
    func send(now: Int64) -> SendResult {
        while let first = output.first {
            switch first {
            case .bytes(var bytes):
                let flags = CLE_MSG_NOSIGNAL | (output.count > 1 ? CLE_MSG_MORE : 0)
                let n = bytes.withUnsafeReadableBytes { linuxSend(fd, $0, flags) }
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno == EAGAIN || errno == EWOULDBLOCK ? .blocked : .failed(fileChanged: false)
                }
                core.progressed(now: now)
                bytes.moveReaderIndex(forwardBy: n)
                if bytes.readableBytes == 0 {
                    output.removeFirst()
                } else {
                    output[output.startIndex] = .bytes(bytes)
                }
            case .file(let descriptor, var offset, let end, let closes, let verify):
                if offset >= end {  // nothing (left) to send: an empty file
                    output.removeFirst()
                    if closes { _ = linuxClose(descriptor) }
                    continue
                }
                if let verify {  // everything before is sent: the last bytes, if still that version
                    guard let bytes = BodySegment.verifiedBytes(descriptor: descriptor, offset: offset, end: end, snapshot: verify) else {
                        return .failed(fileChanged: true)
                    }
                    if closes { _ = linuxClose(descriptor) }
                    output[output.startIndex] = .bytes(bytes)
                    continue
                }
                var position = off_t(offset)
                let n = sendfile(fd, descriptor, &position, Int(min(end - offset, 0x7fff_f000)))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno == EAGAIN || errno == EWOULDBLOCK ? .blocked : .failed(fileChanged: false)
                }
                // Nothing more to read before `end`: the file shrank after its head was sent.
                if n == 0 { return .failed(fileChanged: true) }
                core.progressed(now: now)
                offset += Int64(n)
                if offset >= end {
                    output.removeFirst()
                    if closes { _ = linuxClose(descriptor) }
                } else {
                    output[output.startIndex] = .file(descriptor: descriptor, offset: offset, end: end, closes: closes, verify: nil)
                }
            }
        }
        return .done
    }

    /// Closes the socket and every file descriptor still queued.
    func close() {
        guard isOpen else { return }
        isOpen = false
        while let item = output.popFirst() {
            if case .file(let descriptor, _, _, true, _) = item { _ = linuxClose(descriptor) }
        }
        _ = linuxClose(fd)
    }
}
#endif
