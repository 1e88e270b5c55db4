// whitenoise-bench: start-up cost for a large tree (side by side with Python WhiteNoise)
// and the per-request cost of `StaticFiles.respond(to:)` (ns and heap allocations).
//
//   WHITENOISE_BENCHMARKS=1 swift run -c release whitenoise-bench [files=20000]
import CMallocCounter
import Foundation
import HTTPTypes
import Logging
import WhiteNoise

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func heapInUse() -> Int { wn_heap_in_use() }

let fileCount = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 20_000
let base = FileManager.default.temporaryDirectory.path + "/whitenoise-bench-\(getpid())"
let root = base + "/static"
defer { try? FileManager.default.removeItem(atPath: base) }

// A tree shaped like a real STATIC_ROOT: 200 folders of 100 files, 200 B to 8 KB of text.
var rng = SystemRandomNumberGenerator()
var contentBytes = 0
for d in 0..<max(1, fileCount / 100) {
    let dir = root + "/pkg\(d)/dist"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for f in 0..<min(100, fileCount - d * 100) {
        let size = 200 + Int(rng.next() % 8000)
        let line = ".c\(d)-\(f) { margin: \(f)px; }\n"
        let text = String(String(repeating: line, count: size / line.utf8.count + 1).prefix(size))
        contentBytes += size
        try text.write(toFile: dir + "/file\(f).css", atomically: false, encoding: .utf8)
    }
}
print("tree: \(fileCount) files, \(contentBytes / 1024) KiB, in \(root)")

var quiet = Logger(label: "bench")
quiet.logLevel = .error

@MainActor func measureStartup(_ label: String) -> (seconds: Double, bytesPerFile: Double, engine: StaticFiles) {
    var best = Double.infinity
    var engine: StaticFiles?
    var bytes = 0
    for _ in 0..<5 {
        engine = nil
        let heapBefore = heapInUse()
        let t0 = now()
        var files = try! StaticFiles(logger: quiet)
        files.addFiles(root: root, prefix: "/static/")
        let t = now() - t0
        bytes = heapInUse() - heapBefore
        best = min(best, t)
        engine = files
    }
    print(String(format: "start-up %@: %.1f ms, %.0f B heap per file (%d URLs)", label, best * 1000,
                 Double(bytes) / Double(fileCount), engine!.count))
    return (best, Double(bytes) / Double(fileCount), engine!)
}

// 1. Start-up: scan only (headers are prepared on first use), without and with a digest index.
let cold = measureStartup("without digest index")
let index = DigestIndex.build(root: root)
try index.text.write(toFile: root + "/" + DigestIndex.fileName, atomically: true, encoding: .utf8)
let indexed = measureStartup("with digest index   ")

// First use of every file: read, hash (or take the indexed digest), build headers.
@MainActor func warm(_ files: StaticFiles, _ label: String) {
    let heapBefore = heapInUse()
    let t0 = now()
    var served = 0
    for d in 0..<max(1, fileCount / 100) {
        for f in 0..<min(100, fileCount - d * 100) {
            let req = HTTPRequest(method: .head, scheme: nil, authority: nil, path: "/static/pkg\(d)/dist/file\(f).css")
            if files.respond(to: req)?.status == .ok { served += 1 }
        }
    }
    let t = now() - t0
    let grown = heapInUse() - heapBefore
    print(String(format: "first use of all %d files %@: %.1f ms; heap +%.0f B per file (incl. %.0f B of body held in memory)",
                 served, label, t * 1000, Double(grown) / Double(fileCount), Double(contentBytes) / Double(fileCount)))
}
warm(cold.engine, "(hashing)      ")
warm(indexed.engine, "(indexed digest)")

// Python WhiteNoise on the same tree, in the same run.
let python = """
import sys, time, tracemalloc, warnings
try:
    from whitenoise import WhiteNoise
except ImportError:
    print("skipped: pip install whitenoise"); sys.exit(0)
best = 1e9
for _ in range(3):
    tracemalloc.start()
    t0 = time.perf_counter()
    wn = WhiteNoise(None, root=sys.argv[1], prefix="/static/")
    best = min(best, time.perf_counter() - t0)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del wn
print(f"{best*1000:.1f} {current/int(sys.argv[2]):.0f}")
"""
let p = Process()
p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
p.arguments = ["python3", "-c", python, root, String(fileCount)]
let pipe = Pipe()
p.standardOutput = pipe
if (try? p.run()) != nil {
    p.waitUntilExit()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    let parts = out.split(separator: " ")
    if parts.count == 2, let ms = Double(parts[0]), let perFile = Double(parts[1]) {
        print(String(format: "WhiteNoise 6 (Python): %.1f ms, %.0f B per file -> we are %.1fx faster (indexed %.1fx), %.1fx less memory",
                     ms, perFile, ms / (cold.seconds * 1000), ms / (indexed.seconds * 1000), perFile / cold.bytesPerFile))
    } else {
        print("WhiteNoise (Python): \(out)")
    }
}

// 2. respond(to:) on the hot path.
try FileManager.default.createDirectory(atPath: base + "/hot/css", withIntermediateDirectories: true)
let css = String(repeating: "body { color: #333; margin: 0 auto; }\n", count: 108)
try css.write(toFile: base + "/hot/css/app.css", atomically: false, encoding: .utf8)
let gz = Process()
gz.executableURL = URL(fileURLWithPath: "/usr/bin/env")
gz.arguments = ["gzip", "-9", "-n", "-k", base + "/hot/css/app.css"]
try gz.run()
gz.waitUntilExit()
var hot = try StaticFiles(logger: quiet)
hot.addFiles(root: base + "/hot", prefix: "/static/")
func request(_ path: String, _ fields: HTTPFields = [:]) -> HTTPRequest {
    HTTPRequest(method: .get, scheme: nil, authority: nil, path: path, headerFields: fields)
}
let plain = request("/static/css/app.css")
let etag = hot.respond(to: plain)!.headerFields[.eTag]!
let cases: [(String, HTTPRequest)] = [
    ("200 identity", plain),
    ("200 gzip", request("/static/css/app.css", [.acceptEncoding: "gzip, deflate, br, zstd"])),
    ("304", request("/static/css/app.css", [.ifNoneMatch: etag])),
    ("206 range", request("/static/css/app.css", [.range: "bytes=0-99"])),
    ("miss", request("/static/nope.css")),
]
let iterations = 1_000_000
for (name, req) in cases {
    for _ in 0..<10_000 { _ = hot.respond(to: req) }
    let m0 = wn_malloc_count()
    let t0 = now()
    var statusSum = 0
    for _ in 0..<iterations { statusSum &+= hot.respond(to: req)?.status.code ?? 0 }
    let t = now() - t0
    let mallocs = wn_malloc_count() - m0
    print(String(format: "respond %-13@ %6.0f ns/request, %5.2f allocations/request", name, t / Double(iterations) * 1e9,
                 Double(mallocs) / Double(iterations)), statusSum == 0 ? "" : "")
}
