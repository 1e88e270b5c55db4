#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import WhiteNoise

/// The `Date` field and the end of the head, re-formatted at most once a second.
/// One per connection or loop (owned by one thread), so no synchronisation is needed.
struct HeadTail {
    /// What a response says of its connection.
    enum Persistence {
        /// Nothing: HTTP/1.1 connections persist by default.
        case implicit
        /// `Connection: keep-alive`: an HTTP/1.0 client asked to keep the connection.
        case keepAlive
        /// `Connection: close`: the server closes once the response is sent.
        case close
    }

    private var second: Int = -1
    private var implicit = ByteBuffer()
    private var keepAlive = ByteBuffer()
    private var closing = ByteBuffer()

    /// `Date: …\r\n\r\n`, with the `Connection` field `persistence` calls for before the blank line.
    mutating func bytes(_ persistence: Persistence) -> ByteBuffer {
        let now = time(nil)
        if now != second {
            second = now
            let date = HTTPDate.format(Int64(now))
            implicit = ByteBuffer(string: "Date: \(date)\r\n\r\n")
            keepAlive = ByteBuffer(string: "Date: \(date)\r\nConnection: keep-alive\r\n\r\n")
            closing = ByteBuffer(string: "Date: \(date)\r\nConnection: close\r\n\r\n")
        }
        switch persistence {
        case .implicit: return implicit
        case .keepAlive: return keepAlive
        case .close: return closing
        }
    }

    /// The `Date` value alone, for the parts-based pipeline.
    static func date() -> String { HTTPDate.format(Int64(time(nil))) }
}
