// One Vapor or Hummingbird app serving the same files three ways, for Benchmarks/frameworks.sh:
//   /static/app.css  through WhiteNoise's middleware (first in the chain)
//   /files/app.css   through the framework's own FileMiddleware (same file on disk)
//   /hello           a plain-text route: the framework's ceiling
// Usage: whitenoise-framework-bench vapor|hummingbird ROOT PORT
// ROOT holds static/app.css (served by WhiteNoise at /static/) and files/app.css.
import Foundation
import Hummingbird
import Logging
import Vapor
import WhiteNoise
import WhiteNoiseHummingbird
import WhiteNoiseVapor

let arguments = CommandLine.arguments
guard arguments.count == 4, let port = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: whitenoise-framework-bench vapor|hummingbird ROOT PORT\n".utf8))
    exit(2)
}
let root = arguments[2]
var logger = Logging.Logger(label: "bench")
logger.logLevel = .error
var files = try StaticFiles(logger: logger)
files.addFiles(root: root + "/static", prefix: "/static/")

switch arguments[1] {
case "vapor":
    // Vapor parses its own command line: give it just "serve".
    let app = try await Vapor.Application.make(Environment(name: "production", arguments: [arguments[0], "serve"]))
    app.logger = logger
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = port
    app.middleware = Middlewares()  // no route logging: measure serving, not logging
    app.middleware.use(WhiteNoiseVapor.WhiteNoiseMiddleware(files: files), at: .beginning)
    app.middleware.use(Vapor.FileMiddleware(publicDirectory: root + "/"))
    app.get("hello") { _ in "Hello, world!" }
    try await app.execute()
    try await app.asyncShutdown()
case "hummingbird":
    let router = Router()
    router.add(middleware: WhiteNoiseHummingbird.WhiteNoiseMiddleware<BasicRequestContext>(files: files))
    router.add(middleware: Hummingbird.FileMiddleware(root, searchForIndexHtml: false))
    router.get("hello") { _, _ in "Hello, world!" }
    let app = Hummingbird.Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
    try await app.runService()
default:
    FileHandle.standardError.write(Data("unknown framework \(arguments[1])\n".utf8))
    exit(2)
}
