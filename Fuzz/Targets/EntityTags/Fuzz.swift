import FuzzSupport
import WhiteNoise

/// libFuzzer entry: `If-None-Match` / `If-Match` entity-tag lists.
@main enum Fuzz {
    static func main() { runFuzzer(fuzz) }
}

func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    _ = EntityTagList(parsing: String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self))
    return 0
}
