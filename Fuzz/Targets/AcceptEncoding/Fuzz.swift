import FuzzSupport
import WhiteNoise

/// libFuzzer entry: `Accept-Encoding` parsing; every q-value stays within 0...1000.
@main enum Fuzz {
    static func main() { runFuzzer(fuzz) }
}

func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let accept = AcceptEncoding(parsing: text)
    for coding in ContentCoding.allCases { precondition((0...1000).contains(accept.quality(of: coding))) }
    return 0
}
