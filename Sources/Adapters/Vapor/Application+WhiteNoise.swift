#if Vapor
public import Leaf
public import Vapor
import WhiteNoise
public import WhiteNoiseSettings

/// Leaf's `#static("css/app.css")`: the URL of a static file, hashed (or on the CDN) as the
/// settings say, e.g. `/static/css/app.3f1a9c0b7d2e.css`. The output is HTML-escaped, which
/// is right inside `href="…"`. A name missing from a strict manifest fails the render with
/// the manifest's message, naming the entry.
public struct StaticTag: LeafTag {
    /// The resolver.
    public let urls: StaticURLs

    /// A tag resolving names with `urls`.
    public init(urls: StaticURLs) {
        self.urls = urls
    }

    /// Renders the URL for the tag's one string parameter.
    public func render(_ ctx: LeafContext) throws -> LeafData {
        try ctx.requireParameterCount(1)
        guard let name = ctx.parameters[0].string else {
            throw StaticTagError(description: "#static expects the name of a static file, e.g. #static(\"css/app.css\")")
        }
        return .string(try urls.url(for: name))
    }
}

/// A misuse of `#static` in a template.
public struct StaticTagError: Error, CustomStringConvertible {
    /// What was wrong.
    public var description: String
}

extension Application {
    /// WhiteNoise for this app: `try app.whiteNoise.configure(settings: .load())`.
    public var whiteNoise: WhiteNoiseConfigurator { WhiteNoiseConfigurator(application: self) }
}

/// Sets WhiteNoise up in a Vapor app from settings, in one call.
public struct WhiteNoiseConfigurator {
    let application: Application

    /// Puts ``WhiteNoiseMiddleware`` first (so static hits never reach routing or other
    /// middleware) and registers the Leaf tags: `#static`, `#integrity`, `#stylesheet`,
    /// `#script`, `#moduleScript`, `#modulePreload` and `#importMap`.
    /// - Returns: the URL resolver, for use outside templates.
    @discardableResult
    public func configure(settings: WhiteNoiseSettings) throws -> StaticURLs {
        let urls = try StaticURLs(settings: settings)
        application.middleware.use(try WhiteNoiseMiddleware(settings: settings, logger: application.logger), at: .beginning)
        for (name, tag) in urls.leafTags() { application.leaf.tags[name] = tag }
        for problem in urls.importMapProblems { application.logger.warning("whitenoise: import map: \(problem)") }
        return urls
    }
}
#endif
