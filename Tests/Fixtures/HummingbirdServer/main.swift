// A Hummingbird app set up as Docs/hummingbird.md shows, with one route, run as a child
// process by the tests that measure the app's memory (a test process's own RSS is too noisy).
// Usage: whitenoise-hummingbird-fixture SETTINGS_FILE  (serves on a free port and prints
// "listening on http://127.0.0.1:PORT").
import Foundation
#if Hummingbird
import Hummingbird
import Logging
import WhiteNoiseHummingbird

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: whitenoise-hummingbird-fixture SETTINGS_FILE\n".utf8))
    exit(2)
}
var logger = Logger(label: "fixture")
logger.logLevel = .error
let settings = try WhiteNoiseSettings.load(file: CommandLine.arguments[1])
let router = Router(context: WhiteNoiseRequestContext.self)
try router.whiteNoise.configure(settings: settings, logger: logger)
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
#else
FileHandle.standardError.write(Data("whitenoise-hummingbird-fixture needs the package trait 'Hummingbird'\n".utf8))
exit(1)
#endif
