import FuzzSupport
import NIOCore
import WhiteNoiseNIO

/// libFuzzer entry: the standalone server's request-head parser, on arbitrary bytes, as the
/// bytes of one read and then as if they arrived one more byte at a time.
@main enum Fuzz {
    static func main() { runFuzzer(fuzz) }
}

func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    var buffer = ByteBuffer(bytes: bytes)
    while let head = try? HTTP1HeadParser.parse(&buffer) {
        precondition(head.contentLength >= 0)
        if buffer.readableBytes == 0 { break }
    }
    var growing = ByteBuffer()
    for (i, byte) in bytes.enumerated() where i < 4096 {
        growing.writeInteger(byte)
        if (try? HTTP1HeadParser.parse(&growing)) == nil, growing.readableBytes == 0 { break }
    }
    return 0
}
