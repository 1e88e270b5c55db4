import FuzzSupport
import WhiteNoise

/// libFuzzer entry: `If-None-Match` / `If-Match` entity-tag lists.
@main enum Fuzz {
    static func main() { runFuzzer(fuzz) }
}

func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let list = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    // Invariant: a strong match is a weak match.
    for tag in [#""a""#, #""""#, #""x,y""#] where EntityTagList.matches(list, etag: tag, weak: false) {
        precondition(EntityTagList.matches(list, etag: tag, weak: true), "strong without weak: \(list)")
    }
    return 0
}
