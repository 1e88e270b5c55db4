import FuzzSupport
import WhiteNoise

/// libFuzzer entry: HTTP dates (IMF-fixdate, RFC 850, asctime); a parsed date formats back
/// to a date that parses to the same second.
@main enum Fuzz {
    static func main() { runFuzzer(fuzz) }
}

func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    if let seconds = HTTPDate.parse(text), (0...253_402_300_799).contains(seconds) {
        precondition(HTTPDate.parse(HTTPDate.format(seconds)) == seconds)
    }
    return 0
}
