#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer's driver for a program with its own `main` (`-sanitize=fuzzer` links it in).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer with the command line's options and corpus folders over `target`; with
/// `WHITENOISE_FUZZ_REPLAY=MICROSECONDS` set, replays the inputs instead (``replay(_:limit:)``).
public func runFuzzer(_ target: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    if let limit = getenv("WHITENOISE_FUZZ_REPLAY").flatMap({ Double(String(cString: $0)) }) {
        exit(replay(target, limit: limit))
    }
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, target))
}

/// Runs every input (the files of the folders named on the command line) five times and keeps
/// each input's fastest run; prints the slowest inputs and returns 1 when one of them took
/// more than `limit` microseconds. Meant for a release build without instrumentation.
func replay(_ target: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt, limit: Double) -> CInt {
    var timings: [(microseconds: Double, path: String)] = []
    for folder in CommandLine.arguments.dropFirst() {
        guard let dir = opendir(folder) else { continue }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix(".") else { continue }
            let path = folder + "/" + name
            guard let file = fopen(path, "rb") else { continue }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = fread(&chunk, 1, chunk.count, file)
                if n <= 0 { break }
                bytes += chunk[0..<n]
            }
            fclose(file)
            var fastest = Double.infinity
            for _ in 0..<5 {
                var start = timespec(), end = timespec()
                clock_gettime(CLOCK_MONOTONIC, &start)
                _ = bytes.withUnsafeBufferPointer { target($0.baseAddress, $0.count) }
                clock_gettime(CLOCK_MONOTONIC, &end)
                fastest = min(fastest, Double(end.tv_sec - start.tv_sec) * 1e6 + Double(end.tv_nsec - start.tv_nsec) / 1e3)
            }
            timings.append((fastest, path))
        }
    }
    timings.sort { $0.microseconds > $1.microseconds }
    print("replay: \(timings.count) inputs; slowest (fastest of 5 runs):")
    for t in timings.prefix(3) { print("  \((t.microseconds * 10).rounded() / 10) µs  \(t.path)") }
    return timings.contains { $0.microseconds > limit } ? 1 : 0
}
