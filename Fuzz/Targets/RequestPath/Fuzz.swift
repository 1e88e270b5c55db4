import FuzzSupport
import WhiteNoise

/// libFuzzer entry: request targets; a path that is accepted never climbs out of its root.
@main enum Fuzz {
    static func main() { runFuzzer(fuzz) }
}

func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    if let path = RequestPath(target: text), RequestPath.isCanonical(path.path) {
        precondition(!path.path.split(separator: "/", omittingEmptySubsequences: false).contains(".."))
    }
    return 0
}
