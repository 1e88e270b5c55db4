#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import WhiteNoise

/// The `Date` field and the end of the head, re-formatted at most once a second.
/// One per connection (event-loop bound), so no synchronisation is needed.
struct HeadTail {
    private var second: Int = -1
    private var keepAlive = ByteBuffer()
    private var closing = ByteBuffer()

    /// `Date: …\r\n\r\n`, or with `Connection: close` before the blank line.
    mutating func bytes(close: Bool) -> ByteBuffer {
        let now = time(nil)
        if now != second {
            second = now
            let date = HTTPDate.format(Int64(now))
            keepAlive = ByteBuffer(string: "Date: \(date)\r\n\r\n")
            closing = ByteBuffer(string: "Date: \(date)\r\nConnection: close\r\n\r\n")
        }
        return close ? closing : keepAlive
    }

    /// The `Date` value alone, for the parts-based pipeline.
    static func date() -> String { HTTPDate.format(Int64(time(nil))) }
}
