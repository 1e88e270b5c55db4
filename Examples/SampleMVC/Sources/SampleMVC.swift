#if Vapor
import Foundation
import Leaf
import Vapor
import WhiteNoiseSettings
import WhiteNoiseStorage
import WhiteNoiseVapor

/// A small Vapor + Leaf MVC app whose static files are configured only by `settings.env`:
/// on start it collects its assets (hashing, rewriting and compressing them; a no-op when
/// nothing changed), then serves pages and assets on http://127.0.0.1:8080.
@main
enum SampleMVC {
    static func main() async throws {
        var environment = try Environment.detect()
        try LoggingSystem.bootstrap(from: &environment)
        let app = try await Application.make(environment)
        do {
            try configure(app)
            try await app.execute()
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// The folder holding `settings.env`, `Resources/` and `assets/`: the folder of the
    /// settings file named by `WHITENOISE_SETTINGS`, else this source file's app folder, so
    /// that `swift run SampleMVC` works from the repository root.
    static var settingsFile: String {
        if let named = ProcessInfo.processInfo.environment[WhiteNoiseSettings.settingsFileVariable], !named.isEmpty { return named }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("settings.env").path
    }

    static func configure(_ app: Application) throws {
        let settings = try WhiteNoiseSettings.load(file: settingsFile)
        let folder = URL(fileURLWithPath: settingsFile).deletingLastPathComponent().path
        app.directory = DirectoryConfiguration(workingDirectory: folder + "/")
        if !settings.debug { try collectStatic(settings, logger: app.logger) }

        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 8080
        app.views.use(.leaf)
        try app.whiteNoise.configure(settings: settings)

        let store = ProductStore()
        try app.register(collection: HomeController(store: store))
        try app.register(collection: ProductsController(store: store))
    }

    /// `whitenoise collectstatic` with the app's settings. Incremental: when STATIC_ROOT is
    /// up to date it only checks, and a missing or stale STATIC_ROOT is brought up to date.
    static func collectStatic(_ settings: WhiteNoiseSettings, logger: Logger) throws {
        guard settings.staticRoot != nil else { return }
        // Modules import each other by plain paths (`import … from "./greet.js"`): the page's
        // import map (`#importMap()`) sends each to its hashed, immutable URL, with its
        // integrity value, so no JavaScript is rewritten.
        let options = try CollectStaticOptions(settings: settings)
        let started = Date()
        let summary = try CollectStatic(options: options, logger: logger).run()
        logger.notice("collectstatic: \(summary.line(seconds: Date().timeIntervalSince(started)))")
    }
}
#else
import Foundation

/// Built without the package's `Vapor` trait: the sample (a Vapor app) cannot run.
@main
enum SampleMVC {
    static func main() {
        FileHandle.standardError.write(Data("SampleMVC needs the package trait 'Vapor' (it is on by default)\n".utf8))
        exit(1)
    }
}
#endif
