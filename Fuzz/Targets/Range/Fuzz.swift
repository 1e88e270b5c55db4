import FuzzSupport
import WhiteNoise

/// libFuzzer entry: `Range` header parsing against several representation lengths.
@main enum Fuzz {
    static func main() { runFuzzer(fuzz) }
}

func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    for length: Int64 in [0, 1, 100, 1 << 40] { _ = RangeRequest(parsing: text, length: length) }
    return 0
}
