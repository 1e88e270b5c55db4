// A Hummingbird app with WhiteNoise's middleware in front of one route, run as a child process
// by the tests that measure the app's memory (a test process's own RSS is too noisy).
// Usage: whitenoise-hummingbird-fixture ROOT  (serves ROOT at /static/ on a free port and
// prints "listening on http://127.0.0.1:PORT").
import Foundation
import Hummingbird
import Logging
import WhiteNoiseHummingbird

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: whitenoise-hummingbird-fixture ROOT\n".utf8))
    exit(2)
}
var logger = Logger(label: "fixture")
logger.logLevel = .error
var files = try StaticFiles(logger: logger)
files.addFiles(root: CommandLine.arguments[1], prefix: "/static/")
let router = Router()
router.add(middleware: WhiteNoiseMiddleware<BasicRequestContext>(files: files))
router.get("app") { _, _ in "from the app" }
let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: 0)),
    onServerRunning: { channel in
        let line = "listening on http://127.0.0.1:\(channel.localAddress?.port ?? 0)\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    },
    logger: logger)
try await app.runService()
