#if Hummingbird
public import Hummingbird
public import Logging
public import WhiteNoiseSettings

extension Router {
    /// WhiteNoise for this router: `let urls = try router.whiteNoise.configure(settings: .load())`.
    public var whiteNoise: WhiteNoiseConfigurator<Context> { WhiteNoiseConfigurator(router: self) }
}

/// Sets WhiteNoise up in a Hummingbird app from settings, in one call: the same call, with the
/// same result, as `app.whiteNoise.configure(settings:)` in a Vapor app.
public struct WhiteNoiseConfigurator<Context: RequestContext> {
    let router: Router<Context>

    /// Adds ``WhiteNoiseMiddleware`` to the router (call it before adding routes: Hummingbird
    /// wraps each route with the middleware the router holds when the route is added) and
    /// returns the URL resolver, whose `mustacheHelpers()` go into Mustache render contexts
    /// (`{{#static}}css/app.css{{/static}}`, `{{#stylesheet}}css/app.css{{/stylesheet}}`, …).
    /// - Returns: the URL resolver, for templates and for use outside them.
    @discardableResult
    public func configure(settings: WhiteNoiseSettings, logger: Logger = Logger(label: "whitenoise")) throws -> StaticURLs {
        let urls = try StaticURLs(settings: settings)
        router.add(middleware: try WhiteNoiseMiddleware<Context>(settings: settings, logger: logger))
        for problem in urls.importMapProblems { logger.warning("whitenoise: import map: \(problem)") }
        if !(Context.self is any ChannelRequestContext.Type) {
            logger.notice("whitenoise: \(Context.self) gives no channel, so a slow client of a large file can hold up to the file in memory; use WhiteNoiseRequestContext or ChannelRequestContext (Docs/hummingbird.md)")
        }
        return urls
    }
}
#endif
