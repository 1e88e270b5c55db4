public import HTTPTypes
public import NIOCore

/// The engine's answer to a request: a plain value that any adapter can send.
public struct StaticResponse: Sendable {
    /// The status: 200, 206, 302, 304, 405, 412 or 416.
    public var status: HTTPResponse.Status
    /// Every header field to send (adapters add only `Date`/`Connection` of their own).
    public var headerFields: HTTPFields
    /// The body to send: nothing, bytes in memory, or regions of an open file.
    public var body: Body
    /// The status line and header fields already serialised as HTTP/1.1 (each line ending in
    /// CRLF, without the blank line that ends the head), when they were precomputed at
    /// start-up; the standalone server sends it as is.
    package var http1Head: ByteBuffer?

    /// Creates a response value.
    public init(status: HTTPResponse.Status, headerFields: HTTPFields, body: Body = .empty) {
        self.init(status: status, headerFields: headerFields, body: body, http1Head: nil)
    }

    /// A response with its precomputed HTTP/1.1 head.
    package init(status: HTTPResponse.Status, headerFields: HTTPFields, body: Body = .empty, http1Head: ByteBuffer?) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
        self.http1Head = http1Head
    }

    /// A response body.
    public enum Body: Sendable {
        /// No body (HEAD, 304, 302, 405, 412, 416). `Content-Length` may still be non-zero for HEAD.
        case empty
        /// The whole body, in memory.
        case bytes(ByteBuffer)
        /// One region of an open file: send with sendfile or stream it.
        case file(FileSlice)
        /// A `multipart/byteranges` body: delimiters in memory and file or memory regions.
        case multipart([Part])

        /// The number of bytes the body will produce.
        public var count: Int64 {
            switch self {
            case .empty: return 0
            case .bytes(let b): return Int64(b.readableBytes)
            case .file(let s): return s.length
            case .multipart(let parts): return parts.reduce(0) { $0 + $1.count }
            }
        }
    }

    /// One piece of a multipart body.
    public enum Part: Sendable {
        /// Bytes in memory.
        case bytes(ByteBuffer)
        /// A region of an open file.
        case file(FileSlice)

        /// The number of bytes of this part.
        public var count: Int64 {
            switch self {
            case .bytes(let b): return Int64(b.readableBytes)
            case .file(let s): return s.length
            }
        }
    }
}

/// A region of a file that was opened (and checked against its snapshot) for this response.
public struct FileSlice: Sendable {
    /// The open file. Several slices of one response share it.
    public var file: OpenFile
    /// Where the region starts.
    public var offset: Int64
    /// How many bytes it has.
    public var length: Int64
}

extension StaticResponse {
    /// The head serialised as HTTP/1.1 (status line and fields, each line ending in CRLF,
    /// without the final blank line): the precomputed bytes when there are some.
    package func serialisedHTTP1Head() -> ByteBuffer {
        http1Head ?? HTTP1Head.serialise(status: status, fields: headerFields)
    }
}
