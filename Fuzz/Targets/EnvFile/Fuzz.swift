import FuzzSupport
import WhiteNoiseSettings

/// libFuzzer entry: the `settings.env` reader (an error is a valid outcome, a crash is not).
@main enum Fuzz {
    static func main() { runFuzzer(fuzz) }
}

func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    _ = try? SettingsFile.parseEnv(text, path: "fuzz.env")
    return 0
}
